// scanner.mjs: the checkpoint page (nginx/html/scan.html) as staff use it with a keyboard-style
// scanner, in headless Chromium on a phone viewport against the real stack, in the language
// LANG_UNDER_TEST (zh-CN or en). tests/integration/test_client.py passes BASE, MALL_TOKEN and
// COMMUNITY_TOKEN (device tokens), GREEN_QR, RED_QR and PAPER_QR (code texts) and SHOTS, then
// checks the scans rows. Prints one JSON line with the scan ids shown; exits 1 on failure.
import assert from 'node:assert/strict';
import { accessible, drive, fitsWidth, meter, shot } from './page.mjs';

const env = process.env;
for (const k of ['BASE', 'MALL_TOKEN', 'COMMUNITY_TOKEN', 'GREEN_QR', 'RED_QR', 'PAPER_QR', 'SHOTS']) assert.ok(env[k], k);
const ZH = (env.LANG_UNDER_TEST || 'zh-CN') === 'zh-CN';
const L = ZH ? 'zh' : 'en';
const W = ZH ? {
  useToken: '使用此设备令牌', badToken: '此设备令牌无效', allow: '通行', deny: '禁止通行', register: '请登记',
  red: '红码：不得进入。', fever: '体温达到或超过发热标准。', noValid: '无有效健康码：不得进入。',
  needTemp: '请测量体温：进入须测体温。', paper: /^纸质码：请核对身份证件为 .+\*.* · .+\*+.+。$/, green: '绿码',
  forget: '清除此设备令牌', check: '核验', registerNow: '登记来访', next: '继续扫码',
} : {
  useToken: 'Use this device token', badToken: 'not valid', allow: 'ALLOW', deny: 'DENY', register: 'REGISTER',
  red: 'Red code: no entry.', fever: 'Temperature at or above the fever threshold.', noValid: 'No valid code: no entry.',
  needTemp: 'Measure the temperature: entering needs it.', paper: /^Paper code: check the ID card shows .+\*.* · .+\*+.+\.$/,
  green: 'Green code', forget: 'Forget this device token', check: 'Check', registerNow: 'Register the visit', next: 'Next scan',
};
const BG = { allow: 'rgb(26, 127, 55)', deny: 'rgb(179, 18, 29)', register: 'rgb(138, 90, 0)' };

await drive({ locale: ZH ? 'zh-CN' : 'en-US', timezoneId: 'Europe/London' }, async (page) => {
  const ids = [];
  const shots = [];
  const snap = async (what) => shots.push(await shot(page, `${what}-${L}`));
  const setToken = async (t) => {
    await page.locator('#setup').waitFor();
    await page.fill('#setup [name=token]', t);
    await page.getByRole('button', { name: W.useToken }).click();
    await page.locator('#scanner').waitFor();
  };
  // Staff tap the verdict away (if one is shown), set the direction and temperature; then a
  // keyboard-style scanner types the code's text into the focused field, and Enter.
  const scan = async (qr, direction, temperature) => {
    if (await page.locator('#result').isVisible()) await page.locator('#next').click();
    await page.check(`#scan input[name=direction][value=${direction}]`);
    await page.fill('#scan [name=temperature]', temperature);
    await page.focus('#scan [name=qr]');
    await page.keyboard.insertText(qr);
    await page.keyboard.press('Enter');
  };
  // The verdict fills the screen in its color; its scan id is recorded.
  const verdict = async (word, kind) => {
    await page.locator('#verdict').filter({ hasText: new RegExp('^' + word + '$') }).waitFor();
    const box = await page.locator('#result').boundingBox();
    assert.deepEqual([box.x, box.y, box.width, box.height], [0, 0, 390, 844]);
    assert.equal(await page.locator('#result').evaluate((e) => getComputedStyle(e).backgroundColor), BG[kind]);
    const id = (await page.locator('#scan-id').innerText()).match(/(\d+)/)[1];
    ids.push(id);
    return id;
  };

  // A token nobody issued: refused at the first scan, back to the token form with a message.
  const m = meter(page);
  await page.goto(env.BASE + '/scan.html');
  await page.locator('#setup').waitFor();
  const size = await m.stop();
  assert.ok(size > 0 && size <= 60 * 1024, `scan.html first view: ${size} bytes`);
  assert.equal(await page.getAttribute('html', 'lang'), ZH ? 'zh-CN' : 'en');
  await accessible(page, 'token form');
  await setToken('not-a-device-token-0123456789abcdefghijklmnop');
  await scan(env.GREEN_QR, 'in', '36.5');
  await page.locator('#notice').filter({ hasText: W.badToken }).waitFor();
  await page.locator('#setup').waitFor();

  // A mall's device: green in, red denied, entering without a temperature asked for, red out.
  await setToken(env.MALL_TOKEN);
  await accessible(page, 'scanner');
  await snap('scanner');
  await page.setViewportSize({ width: 320, height: 640 });
  await fitsWidth(page, 'scanner at 320 px');
  await page.setViewportSize({ width: 390, height: 844 });
  await scan(env.GREEN_QR, 'in', '36.5');
  const greenIn = await verdict(W.allow, 'allow');
  assert.match(await page.locator('#who').innerText(), /^.+\*.* · .+\*+.+$/);
  assert.equal(await page.locator('#scan-color').innerText(), W.green);
  assert.match(await page.locator('#scan-time').innerText(), /^\d{2}:\d{2}:\d{2}/);
  assert.equal(await page.locator('#scan [name=qr]').inputValue(), '', 'the field is cleared for the next code');
  await accessible(page, 'verdict');
  await snap('verdict-allow');
  // The scanner types the next code while the verdict is still shown: it is checked at once.
  await page.fill('#scan [name=temperature]', '36.5');
  await page.focus('#scan [name=qr]');
  await page.keyboard.insertText(env.RED_QR);
  await page.keyboard.press('Enter');
  const redIn = await verdict(W.deny, 'deny');
  assert.equal(await page.locator('#reasons').innerText(), W.red);
  await snap('verdict-deny');
  await page.setViewportSize({ width: 320, height: 640 });
  await fitsWidth(page, 'verdict at 320 px');
  await page.setViewportSize({ width: 390, height: 844 });
  await scan(env.RED_QR, 'in', '');
  await page.locator('.field-error[data-for=temperature]').filter({ hasText: W.needTemp }).waitFor();
  assert.equal(await page.locator('#result').isHidden(), true);
  await page.fill('#scan [name=qr]', '');
  await scan(env.RED_QR, 'out', '');
  const redOut = await verdict(W.allow, 'allow');
  await scan(env.GREEN_QR, 'in', '38.2');
  const fever = await verdict(W.deny, 'deny');
  assert.equal(await page.locator('#reasons').innerText(), W.fever);
  // A paper code: allowed against the ID card, whose masked name and number are shown.
  await scan(env.PAPER_QR, 'in', '36.4');
  const paper = await verdict(W.allow, 'allow');
  assert.match(await page.locator('#who').innerText(), W.paper);
  assert.equal(await page.locator('#scan-color').innerText(), W.green);
  await snap('verdict-paper');
  // A forged code.
  await scan('HQR1:NOT-A-REAL-CODE', 'in', '36.5');
  const forged = await verdict(W.deny, 'deny');
  assert.equal(await page.locator('#reasons').innerText(), W.noValid);

  // A residential community's device: a visitor must register, then is let in.
  await page.locator('#next').click();
  await page.getByRole('button', { name: W.forget }).click();
  await setToken(env.COMMUNITY_TOKEN);
  await scan(env.GREEN_QR, 'in', '36.6');
  const register = await verdict(W.register, 'register');
  await snap('verdict-register');
  assert.equal(await page.locator('#next').innerText(), W.registerNow);
  await page.locator('#next').click();
  await page.locator('#visitor').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.name), 'purpose');
  assert.equal(await page.locator('#scan [name=qr]').inputValue(), env.GREEN_QR, 'the code is kept for the second scan');
  await page.fill('#scan [name=purpose]', '探亲');
  await page.fill('#scan [name=host]', '3号楼201');
  await page.getByRole('button', { name: W.check, exact: true }).click();
  const visited = await verdict(W.allow, 'allow');
  assert.equal(await page.locator('#visitor').isHidden(), true);

  // The device token survives a reload of the page (kept in this browser only).
  await page.reload();
  await page.locator('#scanner').waitFor();

  return { mall: [greenIn, redIn, redOut, fever, paper, forged], community: [register, visited], ids, shots, size };
});
