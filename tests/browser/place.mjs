// place.mjs: the resident's flow of a place code (DESIGN §11) in headless Chromium on a phone-sized
// page against the real stack: the place's URL opened logged out, the login through the platform's
// consent page (the simulator's) and back, two persons picked, both full-screen verdicts seen; then
// the printable poster, whose QR the caller decodes from a screenshot. Run by
// tests/integration/test_places.py, which passes BASE, PLACE_URL, OPENID (an account holding two
// persons), SELF_ID, SELF_NAME, REL_ID, REL_NAME (masked), PLACE_NAME, PLACE_LABEL, POSTER_ID,
// OPERATOR, DISPLAY (a door screen's token) and SHOT (where the poster's screenshot goes); VERDICT_SHOT, if given, keeps pictures of
// the verdict screens. The pages in Chinese first, then switched to English (a check-in again, the
// poster's page, the door screen); the poster and the door screen carry both languages in either.
// Prints one JSON line; exits 1 on failure.
import assert from 'node:assert/strict';
import { drive } from './page.mjs';

const env = process.env;
for (const k of ['BASE', 'PLACE_URL', 'OPENID', 'SELF_ID', 'SELF_NAME', 'REL_ID', 'REL_NAME', 'PLACE_NAME',
  'PLACE_LABEL', 'POSTER_ID', 'OPERATOR', 'DISPLAY', 'SHOT']) assert.ok(env[k], k + ' is required');

await drive({ locale: 'zh-CN', isMobile: true, hasTouch: true }, async (page) => {
  const visible = (sel) => page.locator(sel).waitFor({ state: 'visible' });
  const text = (sel) => page.locator(sel).innerText();

  // The scanned URL, not logged in: the page sends the resident through the platform's login.
  await page.goto(env.PLACE_URL);
  await page.waitForURL(/\/connect\/oauth2\/authorize/);
  await page.fill('input[name=sim_user]', env.OPENID);
  await page.getByRole('button', { name: 'Allow' }).click();
  // ... and back on the place's page: the place, the persons, the account's own first and chosen.
  await page.waitForURL(env.PLACE_URL);
  await visible('#pick');
  assert.equal(await text('#place-name'), env.PLACE_NAME);
  assert.equal(await text('#place-label'), env.PLACE_LABEL);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  assert.equal(await text('h1'), '场所码签到');
  assert.equal(await text('#place-type'), '出租车');
  assert.equal(await page.locator('#direction-set').isHidden(), true, 'a taxi has no leaving');
  const boxes = page.locator('#person-list input[type=checkbox]');
  assert.equal(await boxes.count(), 2);
  assert.equal(await boxes.nth(0).getAttribute('value'), env.SELF_ID);
  assert.equal(await boxes.nth(0).isChecked(), true);
  assert.equal(await boxes.nth(1).getAttribute('value'), env.REL_ID);
  assert.equal(await boxes.nth(1).isChecked(), false);
  assert.match(await page.locator('#person-list label').nth(0).innerText(), /本人/);

  // Both are here: check in.
  await boxes.nth(1).check();
  const answer = page.waitForResponse((r) => r.url().endsWith('/checkins') && r.request().method() === 'POST');
  await page.getByRole('button', { name: /签到/ }).click();
  const body = await (await answer).json();
  assert.equal(body.checkins.length, 2);

  // The first verdict fills the screen: the colour band, the words, the place, the masked name,
  // a clock that ticks, and the border of the day that moves.
  const seen = [];
  for (const [i, want] of [[0, env.SELF_NAME], [1, env.REL_NAME]]) {
    await visible('#verdict');
    await page.locator('#v-count').filter({ hasText: `${i + 1} / 2` }).waitFor();
    assert.equal(await text('#v-name'), want);
    assert.match(await text('#v-words'), /可以通行\s*Pass/);
    assert.match(await text('#v-color'), /绿码\s*Green code/);
    assert.equal(await text('#v-place'), `${env.PLACE_NAME} · ${env.PLACE_LABEL}`);
    assert.match(await text('#v-checks'), /请在门口测量体温/);
    const box = await page.locator('#verdict').boundingBox();
    assert.deepEqual([box.x, box.y, box.width, box.height], [0, 0, 390, 844], 'the verdict fills the screen');
    assert.equal(await page.locator('#place-main').isHidden(), true);
    const look = await page.evaluate(() => {
      const s = getComputedStyle(document.getElementById('verdict'));
      const band = getComputedStyle(document.getElementById('v-band'));
      return { anim: s.animationName, image: s.backgroundImage, band: band.backgroundColor };
    });
    assert.equal(look.anim, 'hqr-border');
    assert.match(look.image, /repeating-linear-gradient/);
    assert.equal(look.band, 'rgb(26, 127, 55)', 'a green band');
    const t1 = await text('#v-clock');
    assert.match(t1, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    await page.waitForFunction((t) => document.getElementById('v-clock').textContent !== t, t1, { timeout: 3000 });
    if (env.VERDICT_SHOT) await page.screenshot({ path: env.VERDICT_SHOT.replace('.png', `-${i}.png`) });
    seen.push(body.checkins[i].scan_id);
    await page.locator('#v-next').click();
  }
  // Done: back to the place's page.
  await visible('#place-main');
  assert.equal(await page.locator('#verdict').isHidden(), true);

  // The same page in English, on its switch: the resident checks in again within 5 minutes and
  // is shown the earlier answer, its words in English, big, and in Chinese below.
  await page.locator('[data-lang-switch]').click();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await text('h1'), 'Place check-in');
  assert.equal(await text('#place-type'), 'Taxi');
  assert.match(await page.locator('#person-list label').nth(0).innerText(), /Myself · Green code/);
  assert.equal(await text('[data-lang-switch]'), '中文');
  await boxes.nth(1).uncheck();
  const again = page.waitForResponse((r) => r.url().endsWith('/checkins') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Check in' }).click();
  const body2 = await (await again).json();
  assert.equal(body2.checkins.length, 1);
  assert.equal(body2.checkins[0].repeat, true);
  assert.equal(body2.checkins[0].scan_id, seen[0]);
  await visible('#verdict');
  assert.equal(await text('#v-name'), env.SELF_NAME);
  assert.match(await text('#v-words'), /^Pass\s*可以通行$/);
  assert.match(await text('#v-color'), /^Green code\s*绿码$/);
  assert.equal(await text('#v-checks'), 'Have the temperature taken at the door.');
  assert.equal(await text('#v-next'), 'Done');
  if (env.VERDICT_SHOT) await page.screenshot({ path: env.VERDICT_SHOT.replace('.png', '-en.png') });
  await page.locator('#v-next').click();
  await visible('#place-main');

  // The poster of the place code, as an operator prints it.
  await page.goto(`${env.BASE}/place-poster.html?id=${env.POSTER_ID}`);
  await visible('#setup');
  assert.equal(await text('#setup button[type=submit]'), 'Show the poster', 'the language stays chosen');
  // A mistyped token: the operator reads why, in the page's language, and again after a switch.
  await page.fill('#setup [name=token]', 'A'.repeat(43));
  await page.locator('#setup button[type=submit]').click();
  await visible('#notice');
  assert.equal(await text('#notice'), 'The token was not accepted.');
  await page.locator('[data-lang-switch]').click();
  assert.equal(await text('#notice'), '令牌无效。');
  await page.locator('[data-lang-switch]').click();
  assert.equal(await text('#notice'), 'The token was not accepted.');
  await page.fill('#setup [name=token]', env.OPERATOR);
  await page.locator('#setup button[type=submit]').click();
  await visible('#poster');
  assert.equal(await page.locator('#notice').isHidden(), true, 'the notice is gone once the poster shows');
  await page.waitForFunction(() => {
    const i = document.getElementById('poster-qr');
    return i.complete && i.naturalWidth >= 400;
  });
  assert.equal(await text('#poster-name'), env.PLACE_NAME);
  assert.equal(await text('#poster-label'), env.PLACE_LABEL);
  assert.match(await text('#poster'), /扫码登记[\s\S]*Scan to check in/);
  assert.match(await text('#step-when'), /车辆开动前扫码。\s*Passengers: scan before the car moves/);
  await page.locator('#poster').screenshot({ path: env.SHOT });
  if (env.VERDICT_SHOT) await page.screenshot({ path: env.VERDICT_SHOT.replace('.png', '-poster.png'), fullPage: true });
  const posterUrl = await page.locator('#poster-qr').getAttribute('data-url');

  // The door screen, set up once with its token in the address (then cleared from it): the code
  // of this 30-second window, as an image, for a URL of this place.
  await page.goto(`${env.BASE}/place-display.html#token=${env.DISPLAY}`);
  await visible('#screen');
  await page.waitForFunction(() => {
    const i = document.getElementById('d-qr');
    return i.complete && i.naturalWidth >= 200;
  });
  assert.equal(new URL(page.url()).hash, '', 'the token left the address');
  assert.equal(await text('#d-name'), env.PLACE_NAME);
  assert.match(await text('#screen'), /扫码登记\s*Scan to check in[\s\S]*出租车\s*Taxi[\s\S]*每30秒更新一次[\s\S]*every 30 seconds/);
  assert.equal(await text('#forget'), 'Forget the token');
  const screenUrl = await page.locator('#d-qr').getAttribute('data-url');
  assert.match(screenUrl, /\/p\/[A-Za-z0-9_-]{38}$/);
  return { scans: seen, poster_url: posterUrl, screen_url: screenUrl };
});
