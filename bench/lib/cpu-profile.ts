/**
 * Reads a V8 CPU profile (`node --cpu-prof`) of a bench server and says where a window of it went,
 * per request: by owner (our code, Next.js, each package, Node itself, the garbage collector) and by
 * the innermost frame of our own code on the stack. The server's chunks are minified; their source
 * maps (next to them in .next-bench) give each frame its original file and line.
 */
import fs from "node:fs";
import { SourceMap } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
export type CpuProfile = {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
};

/** Where a frame comes from, resolved through the chunk's source map. */
type Origin = { owner: string; file: string; line: number; name: string; ours: boolean };

const ROOT = process.cwd();
/** Our own code: the folders a team edits (everything else is a dependency or the runtime). */
const OUR_FOLDERS = ["app/", "lib/", "db/", "components/", "proxy.ts", "instrumentation.ts"];
/**
 * Our wrappers around Node's request event: every request's synchronous part runs inside them, so
 * as "the innermost frame of ours" they would claim Next's own work. Their self time still counts.
 */
const PASS_THROUGH = new Set(["lib/server/socket-ip.ts", "lib/server/request-guard.ts"]);

function packageOf(file: string): string {
  const at = file.lastIndexOf("node_modules/");
  if (at < 0) return "";
  const rest = file.slice(at + "node_modules/".length).split("/");
  return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
}

class Resolver {
  private maps = new Map<string, SourceMap | null>();

  private mapFor(file: string): SourceMap | null {
    if (!this.maps.has(file)) {
      let map: SourceMap | null = null;
      try {
        map = new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, "utf8")));
      } catch {
        // no map: the frame keeps its generated position
      }
      this.maps.set(file, map);
    }
    return this.maps.get(file) ?? null;
  }

  origin(frame: CallFrame): Origin {
    const { functionName, url } = frame;
    const name = functionName || "(anonymous)";
    if (!url)
      return {
        owner: functionName.startsWith("(") ? functionName : "node (native)",
        file: "",
        line: 0,
        name,
        ours: false,
      };
    if (url.startsWith("node:")) return { owner: "node", file: url, line: frame.lineNumber + 1, name, ours: false };
    let file = url.startsWith("file://") ? fileURLToPath(url) : url;
    let line = frame.lineNumber + 1;
    const entry = this.mapFor(file)?.findEntry(frame.lineNumber, frame.columnNumber);
    if (entry && "originalSource" in entry && entry.originalSource) {
      const source = entry.originalSource.replace(/^turbopack:\/\/\/\[project\]\//, "");
      file = path.resolve(path.dirname(file), source);
      line = entry.originalLine + 1;
    }
    const relative = path.relative(ROOT, file);
    const pkg = packageOf(relative);
    if (pkg) return { owner: pkg, file: relative, line, name, ours: false };
    const ours = OUR_FOLDERS.some((f) => relative.startsWith(f));
    return {
      owner: ours ? "our code" : relative.startsWith(".next") ? "next (generated)" : relative,
      file: relative,
      line,
      name,
      ours,
    };
  }
}

export type WindowSummary = {
  /** Sampled time in the window that was not idle, in ms. */
  busyMs: number;
  /** µs of busy time per request, by owner (self time of the frames), heaviest first. */
  byOwner: [string, number][];
  /** µs per request by the innermost frame of our code on the stack (file), or "no frame of ours". */
  byOurFrame: [string, number][];
  /** Functions by self time, µs per request, heaviest first. */
  topSelf: [string, number][];
};

/**
 * Summarises the samples taken inside the windows (`from`-`to`, µs on the monotonic clock
 * `process.hrtime` reads), per request of the `requests` they served together.
 */
export function summarise(
  profile: CpuProfile,
  windows: { from: number; to: number }[],
  requests: number,
): WindowSummary {
  const resolver = new Resolver();
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const origins = new Map<number, Origin>();
  const originOf = (id: number) => {
    let o = origins.get(id);
    if (!o) origins.set(id, (o = resolver.origin(byId.get(id)!.callFrame)));
    return o;
  };
  const innermostOurs = new Map<number, string>();
  const ourFrameOf = (id: number): string => {
    const known = innermostOurs.get(id);
    if (known !== undefined) return known;
    let at: number | undefined = id;
    let found = "no frame of ours (Next.js, Node)";
    while (at !== undefined) {
      const o = originOf(at);
      if (o.ours && !PASS_THROUGH.has(o.file)) {
        found = o.file;
        break;
      }
      at = parent.get(at);
    }
    innermostOurs.set(id, found);
    return found;
  };

  const owner = new Map<string, number>();
  const ourFrame = new Map<string, number>();
  const self = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, us: number) => m.set(k, (m.get(k) ?? 0) + us);
  let busy = 0;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    // A sample stands for the interval up to the next one.
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (!windows.some((w) => t >= w.from && t <= w.to)) continue;
    const id = profile.samples[i];
    const o = originOf(id);
    if (o.owner === "(idle)") continue;
    busy += us;
    add(owner, o.owner, us);
    add(ourFrame, ourFrameOf(id), us);
    add(self, o.file ? `${o.name} ${o.file}:${o.line}` : o.name, us);
  }
  const perRequest = (m: Map<string, number>): [string, number][] =>
    [...m.entries()].map(([k, us]): [string, number] => [k, us / requests]).sort((a, b) => b[1] - a[1]);
  return {
    busyMs: busy / 1000,
    byOwner: perRequest(owner),
    byOurFrame: perRequest(ourFrame),
    topSelf: perRequest(self),
  };
}
