/**
 * Client IP (what per-IP limits and the audit trail key on): X-Forwarded-For is ignored unless
 * TRUST_PROXY says how many proxies to trust, and then read from the right; the socket address
 * is stamped by the server itself under x-auth-socket-ip with a per-process secret, so neither a
 * client-sent x-auth-socket-ip nor one that slipped in before the hook was installed counts.
 * (This file installs the server hook, so it runs in its own process: vitest pool "forks".)
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SOCKET_IP_HEADER, SOCKET_STAMP_KEY, clientIp, rateLimitKeyForIp, socketIp } from "@/lib/security/client-ip";
import { installSocketIpHeader } from "@/lib/server/socket-ip";

const g = globalThis as { [SOCKET_STAMP_KEY]?: string };

describe("without the server hook (route handlers called directly)", () => {
  it("takes x-auth-socket-ip as is and ignores X-Forwarded-For when TRUST_PROXY=0", () => {
    expect(g[SOCKET_STAMP_KEY]).toBeUndefined();
    const headers = new Headers({ [SOCKET_IP_HEADER]: "198.51.100.7", "x-forwarded-for": "1.2.3.4" });
    expect(clientIp(headers, 0)).toBe("198.51.100.7");
  });
});

describe("TRUST_PROXY: how many proxies' X-Forwarded-For entries to believe, counted from the right", () => {
  const h = (xff: string | null, peer = "10.0.0.2") =>
    new Headers({ [SOCKET_IP_HEADER]: peer, ...(xff === null ? {} : { "x-forwarded-for": xff }) });

  it("TRUST_PROXY=0: a forged X-Forwarded-For changes nothing, whatever it says", () => {
    for (const xff of ["1.2.3.4", "1.2.3.4, 5.6.7.8", "127.0.0.1", "::1", "unknown", "a".repeat(5000)]) {
      expect(clientIp(h(xff), 0), xff.slice(0, 10)).toBe("10.0.0.2");
    }
  });

  it("TRUST_PROXY=1: the entry our proxy appended (rightmost) is the client; entries the client prepended are ignored", () => {
    expect(clientIp(h("203.0.113.50"), 1)).toBe("203.0.113.50");
    expect(clientIp(h("6.6.6.6, 7.7.7.7, 203.0.113.50"), 1)).toBe("203.0.113.50");
    expect(clientIp(h("1.1.1.1,2.2.2.2 ,  203.0.113.50"), 1)).toBe("203.0.113.50");
  });

  it("TRUST_PROXY=2: two proxies, the client is second from the right", () => {
    expect(clientIp(h("6.6.6.6, 203.0.113.50, 10.0.0.1"), 2)).toBe("203.0.113.50");
  });

  it("TRUST_PROXY=1 with no X-Forwarded-For (someone reached the app directly): the socket peer", () => {
    expect(clientIp(h(null, "198.51.100.9"), 1)).toBe("198.51.100.9");
  });

  it("normalises IPv4-mapped IPv6, ports and case; junk is no address at all", () => {
    expect(clientIp(h(null, "::ffff:198.51.100.9"), 0)).toBe("198.51.100.9");
    expect(clientIp(h("203.0.113.50:51234"), 1)).toBe("203.0.113.50");
    expect(clientIp(h("[2001:DB8::1]:443"), 1)).toBe("2001:db8::1");
    expect(clientIp(h("unknown"), 1)).toBeNull();
    expect(clientIp(h("<script>"), 1)).toBeNull();
    expect(clientIp(h(null, ""), 0)).toBeNull();
  });
});

describe("per-IP limit keys", () => {
  it("IPv4 by address; IPv6 by /64, so rotating addresses inside one allocation lands on one key", () => {
    expect(rateLimitKeyForIp("203.0.113.7")).toBe("203.0.113.7");
    expect(rateLimitKeyForIp(null)).toBe("unknown");
    const keys = new Set(
      ["2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:0db8:0001:0002:0:0:0:9", "2001:db8:1:2:abcd::"].map(
        rateLimitKeyForIp,
      ),
    );
    expect([...keys]).toEqual(["2001:db8:1:2::/64"]);
    expect(rateLimitKeyForIp("2001:db8:1:3::1")).not.toBe(rateLimitKeyForIp("2001:db8:1:2::1"));
    expect(rateLimitKeyForIp("::1")).toBe("0:0:0:0::/64");
    expect(rateLimitKeyForIp("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(rateLimitKeyForIp("64:ff9b::198.51.100.1")).toBe("64:ff9b:0:0::/64");
  });
});

describe("the server stamps the real socket address (a real http.Server)", () => {
  let server: http.Server;
  let url = "";
  let seen: { ip: string | null; trusted1: string | null }[] = [];

  beforeAll(async () => {
    installSocketIpHeader();
    server = http.createServer((req, res) => {
      const headers = new Headers(req.headers as Record<string, string>);
      seen.push({ ip: clientIp(headers, 0), trusted1: clientIp(headers, 1) });
      res.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("a client-sent x-auth-socket-ip and X-Forwarded-For do not change the address (TRUST_PROXY=0)", async () => {
    seen = [];
    for (const forged of ["6.6.6.6", `${g[SOCKET_STAMP_KEY]?.slice(0, 4)} 6.6.6.6`, "127.0.0.2"]) {
      await fetch(url, { headers: { [SOCKET_IP_HEADER]: forged, "x-forwarded-for": "7.7.7.7" } });
    }
    expect(seen.map((s) => s.ip)).toEqual(["127.0.0.1", "127.0.0.1", "127.0.0.1"]);
  });

  it("with TRUST_PROXY=1 the proxy's X-Forwarded-For entry is used (the peer being that proxy)", async () => {
    seen = [];
    await fetch(url, { headers: { "x-forwarded-for": "6.6.6.6, 203.0.113.50" } });
    expect(seen[0].trusted1).toBe("203.0.113.50");
  });

  it("a header that was not stamped by this process (a request that arrived before the hook, or forged) is ignored", () => {
    expect(g[SOCKET_STAMP_KEY]).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(socketIp(new Headers({ [SOCKET_IP_HEADER]: "6.6.6.6" }))).toBeNull();
    expect(socketIp(new Headers({ [SOCKET_IP_HEADER]: "wrong-stamp 6.6.6.6" }))).toBeNull();
    expect(socketIp(new Headers({ [SOCKET_IP_HEADER]: `${g[SOCKET_STAMP_KEY]} 198.51.100.1` }))).toBe("198.51.100.1");
    expect(clientIp(new Headers({ [SOCKET_IP_HEADER]: "6.6.6.6", "x-forwarded-for": "7.7.7.7" }), 0)).toBeNull();
  });
});
