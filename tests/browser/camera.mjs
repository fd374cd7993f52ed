// camera.mjs: the scanner page scanning with the device's camera. Chromium is started with a fake
// camera that plays VIDEO (a y4m clip the test made from a code's image); staff enter the
// temperature and open the camera; the code in front of it is read (BarcodeDetector where the
// browser has it, else the jsQR decoder the build vendored) and checked, and the verdict fills the
// screen. tests/integration/test_client.py passes BASE, TOKEN (a device token), VIDEO, EXPECT
// (allow or deny), REASON (the reason's words, or empty), SHOT (a screenshot's name) and SHOTS.
// Prints one JSON line with the scan id shown and the decoder used; exits 1 on failure.
import assert from 'node:assert/strict';
import { accessible, drive, shot } from './page.mjs';

const env = process.env;
for (const k of ['BASE', 'TOKEN', 'VIDEO', 'EXPECT', 'SHOT']) assert.ok(env[k], k);
const WORDS = { allow: '通行', deny: '禁止通行' };
const args = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
  `--use-file-for-fake-video-capture=${env.VIDEO}`];

await drive({ locale: 'zh-CN', permissions: ['camera'] }, async (page) => {
  await page.goto(env.BASE + '/scan.html');
  await page.fill('#setup [name=token]', env.TOKEN);
  await page.getByRole('button', { name: '使用此设备令牌' }).click();
  await page.locator('#scanner').waitFor();
  await page.fill('#scan [name=temperature]', '36.5');
  await page.getByRole('button', { name: '用摄像头扫码' }).click();
  await page.locator('#camera').waitFor();
  const decoder = await page.locator('#camera').getAttribute('data-decoder');
  const detector = await page.evaluate(() => 'BarcodeDetector' in window);
  await page.locator('#verdict').filter({ hasText: new RegExp('^' + WORDS[env.EXPECT] + '$') })
    .waitFor({ timeout: 30000 });
  assert.match(await page.locator('#result').getAttribute('class'), new RegExp('\\b' + env.EXPECT + '\\b'));
  if (env.REASON) assert.equal(await page.locator('#reasons').innerText(), env.REASON);
  const id = (await page.locator('#scan-id').innerText()).match(/(\d+)/)[1];
  await accessible(page, 'camera verdict');
  const file = await shot(page, env.SHOT);
  await page.locator('#next').click();
  await page.getByRole('button', { name: '关闭摄像头' }).click();
  assert.equal(await page.locator('#camera').isHidden(), true);
  assert.equal(await page.evaluate(() => document.getElementById('camera-video').srcObject), null);
  return { scan_id: id, decoder, detector, shot: file };
}, args);
