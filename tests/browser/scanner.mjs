// scanner.mjs: the checkpoint page (nginx/html/scan.html) as staff use it, in headless Chromium
// against the real stack. tests/integration/test_client.py passes BASE, MALL_TOKEN and
// COMMUNITY_TOKEN (device tokens), GREEN_QR, RED_QR and PAPER_QR (code texts), then checks the
// scans rows. Prints one JSON line with the scan ids shown; exits 1 on failure.
import assert from 'node:assert/strict';
import { drive } from './page.mjs';

const env = process.env;
for (const k of ['BASE', 'MALL_TOKEN', 'COMMUNITY_TOKEN', 'GREEN_QR', 'RED_QR', 'PAPER_QR']) assert.ok(env[k], k);

await drive({}, async (page) => {
  const ids = [];
  const setToken = async (t) => {
    await page.locator('#setup').waitFor();
    await page.fill('#setup [name=token]', t);
    await page.getByRole('button', { name: 'Use this device token' }).click();
    await page.locator('#scanner').waitFor();
  };
  // What a keyboard-style scanner does: types the text into the focused field, then Enter.
  const scan = async (qr, direction, temperature) => {
    await page.check(`#scan input[name=direction][value=${direction}]`);
    await page.fill('#scan [name=temperature]', temperature);
    await page.focus('#scan [name=qr]');
    await page.keyboard.insertText(qr);
    await page.keyboard.press('Enter');
  };
  const verdict = async (word) => {
    await page.locator('#verdict').filter({ hasText: new RegExp('^' + word + '$') }).waitFor();
    const id = (await page.locator('#scan-id').innerText()).match(/Scan (\d+) recorded/)[1];
    ids.push(id);
    return id;
  };

  // A token nobody issued: refused at the first scan, back to the token form with a message.
  await page.goto(env.BASE + '/scan.html');
  await setToken('not-a-device-token-0123456789abcdefghijklmnop');
  await scan(env.GREEN_QR, 'in', '36.5');
  await page.locator('#notice').filter({ hasText: 'not valid' }).waitFor();
  await page.locator('#setup').waitFor();

  // A mall's device: green in, red denied, entering without a temperature asked for, red out.
  await setToken(env.MALL_TOKEN);
  await scan(env.GREEN_QR, 'in', '36.5');
  const greenIn = await verdict('ALLOW');
  assert.match(await page.locator('#who').innerText(), /\*.* · .*\*+.* · green code/);
  assert.equal(await page.locator('#scan [name=qr]').inputValue(), '', 'the field is cleared for the next code');
  await scan(env.RED_QR, 'in', '36.5');
  const redIn = await verdict('DENY');
  assert.match(await page.locator('#reasons').innerText(), /Red code/);
  await scan(env.RED_QR, 'in', '');
  await page.locator('.field-error[data-for=temperature]').filter({ hasText: 'entering needs it' }).waitFor();
  await page.fill('#scan [name=qr]', '');
  await scan(env.RED_QR, 'out', '');
  const redOut = await verdict('ALLOW');
  await scan(env.GREEN_QR, 'in', '38.2');
  const fever = await verdict('DENY');
  assert.match(await page.locator('#reasons').innerText(), /fever/);
  // A paper code: allowed against the ID card, whose masked name and number are shown.
  await scan(env.PAPER_QR, 'in', '36.4');
  const paper = await verdict('ALLOW');
  assert.match(await page.locator('#who').innerText(), /^Paper code: check the ID card shows /);
  // A forged code.
  await scan('HQR1:NOT-A-REAL-CODE', 'in', '36.5');
  const forged = await verdict('DENY');
  assert.match(await page.locator('#reasons').innerText(), /No valid code/);

  // A residential community's device: a visitor must register, then is let in.
  await page.getByRole('button', { name: 'Forget this device token' }).click();
  await setToken(env.COMMUNITY_TOKEN);
  await scan(env.GREEN_QR, 'in', '36.6');
  const register = await verdict('REGISTER');
  await page.locator('#visitor').waitFor();
  assert.equal(await page.locator('#scan [name=qr]').inputValue(), env.GREEN_QR, 'the code is kept for the second scan');
  await page.fill('#scan [name=purpose]', '探亲');
  await page.fill('#scan [name=host]', '3号楼201');
  await page.getByRole('button', { name: 'Check' }).click();
  const visited = await verdict('ALLOW');
  assert.equal(await page.locator('#visitor').isHidden(), true);

  // The device token survives a reload of the page (kept in this browser only).
  await page.reload();
  await page.locator('#scanner').waitFor();

  return { mall: [greenIn, redIn, redOut, fever, paper, forged], community: [register, visited], ids };
});
