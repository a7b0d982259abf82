import { ACCESS_COOKIE, REFRESH_COOKIE, expect, nextRefresh, test } from "./fixtures";

test.use({ server: "short" });

test("no token is readable by page scripts: not in document.cookie, storage, or the page", async ({
  signedInPage: page,
}) => {
  await nextRefresh(page, 200); // after a renewal too
  const cookies = await page.context().cookies();
  const tokens = cookies.filter((c) => c.name === ACCESS_COOKIE || c.name === REFRESH_COOKIE);
  expect(tokens.map((c) => [c.name, c.httpOnly, c.secure, c.sameSite])).toEqual(
    expect.arrayContaining([
      [ACCESS_COOKIE, true, true, "Strict"],
      [REFRESH_COOKIE, true, true, "Strict"],
    ]),
  );

  const visible = await page.evaluate(() => ({
    cookie: document.cookie,
    storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    html: document.documentElement.outerHTML,
  }));
  expect(visible.cookie).toBe("");
  for (const t of tokens) {
    expect(visible.storage).not.toContain(t.value);
    expect(visible.html).not.toContain(t.value);
  }
});
