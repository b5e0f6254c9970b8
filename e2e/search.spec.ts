// The search results page: the matched text is marked, and a common term says "More than 50" instead of
// counting every match.
import { expect, test, uniqueVideo } from "./fixtures";

test("search results mark the matched text and bound the count at a page", async ({ page, request }) => {
  test.setTimeout(120_000);
  const token = `Srch${Date.now() % 1_000_000}`;
  for (let i = 0; i < 51; i++) {
    const res = await request.post("/api/callback", { data: uniqueVideo({ fromWxId: `wxid_${token}_${i}` }) });
    expect(res.status()).toBe(200);
  }
  await page.goto(`/videos?q=${token.toLowerCase()}`);
  await expect(page.getByTestId("match-count")).toHaveText("More than 50 matches: the first 50 are shown");
  await expect(page.getByTestId("video-card")).toHaveCount(50);
  // Marked in the text's own case, though searched in lower case.
  await expect(page.getByTestId("search-match").first()).toHaveText(token);

  await page.goto(`/videos?q=${token}_17&view=table`);
  await expect(page.getByTestId("match-count")).toHaveText("1 match");
  await expect(page.getByTestId("video-row").getByTestId("search-match")).toHaveText([`${token}_17`]);
});
