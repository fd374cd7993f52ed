// client.mjs: the thin client (nginx/html) as a resident uses it, in headless Chromium against the
// real stack (nginx, hqr-fcgi, MariaDB, the platform simulator). Run by
// tests/integration/test_client.py, which passes BASE (the service's URL) and PHOTO (a JPEG file)
// and checks the database afterwards. Prints one JSON line of what it created; exits 1 on failure.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { drive } from './page.mjs';

const BASE = process.env.BASE;
const PHOTO = process.env.PHOTO;
assert.ok(BASE && PHOTO, 'BASE and PHOTO are required');

const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
function residentId(checkOk = true) {
  const y = 1950 + randomInt(50), m = 1 + randomInt(12), d = 1 + randomInt(28);
  const body = '110101' + String(y) + String(m).padStart(2, '0') + String(d).padStart(2, '0') +
    String(randomInt(1000)).padStart(3, '0');
  const sum = [...body].reduce((s, c, i) => s + Number(c) * W[i], 0);
  const check = '10X98765432'[sum % 11];
  const wrong = '10X98765432'[(sum + 1) % 11];
  return body + (checkOk ? check : wrong);
}
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂';
const name = () => '测试' + GIVEN[randomInt(GIVEN.length)] + GIVEN[randomInt(GIVEN.length)];

// On the platform's face page: types who is really at the phone and starts the check; waits
// until the service's page is back.
async function faceCheck(page, realName, idNumber) {
  await page.waitForURL(/\/cityservice\/face\/verify/);
  await page.fill('input[name=real_name]', realName);
  await page.fill('input[name=id_number]', idNumber);
  await page.getByRole('button', { name: 'Start the face check' }).click();
  await page.waitForURL((u) => u.href.startsWith(BASE + '/'));
}

async function logIn(page, openid) {
  await page.goto(BASE + '/');
  await page.getByRole('link', { name: 'Log in' }).click();
  await page.waitForURL(/\/connect\/oauth2\/authorize/);
  await page.fill('input[name=sim_user]', openid);
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(BASE + '/');
  await page.locator('#persons').waitFor({ state: 'visible' });
}

async function fillApplication(page, who, id, phone, address) {
  await page.fill('#apply-form [name=name]', who);
  await page.fill('#apply-form [name=id_number]', id);
  await page.fill('#apply-form [name=phone]', phone);
  await page.fill('#apply-form [name=address]', address);
  await page.setInputFiles('#apply-form [name=photo]', PHOTO);
  await page.check('#apply-form [name=declaration]');
}

await drive({ locale: 'zh-CN' }, async (page) => {
  await page.clock.install(); // timers run as usual until the test moves the clock on
  const visible = (sel) => page.locator(sel).waitFor({ state: 'visible' });
  const text = (sel) => page.locator(sel).innerText();

  // Not logged in: a login button, nothing else.
  await page.goto(BASE + '/');
  await visible('#login');
  assert.equal(await page.locator('#persons').isHidden(), true);

  // Log in through the platform's consent page (the simulator's) as a new user.
  const openid = 'oBrowser' + randomInt(1e9);
  await page.getByRole('link', { name: 'Log in' }).click();
  await page.waitForURL(/\/connect\/oauth2\/authorize/);
  await page.fill('input[name=sim_user]', openid);
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(BASE + '/');
  await visible('#persons');
  await visible('#no-persons');

  // Apply for oneself: a wrong check digit is shown beside the ID number, then it goes through.
  await page.getByRole('button', { name: 'Apply for myself' }).click();
  await visible('#apply-form');
  const selfName = name();
  await page.fill('#apply-form [name=name]', selfName);
  await page.fill('#apply-form [name=id_number]', residentId(false));
  await page.fill('#apply-form [name=phone]', '13800138000');
  await page.fill('#apply-form [name=address]', '测试市测试区测试路1号');
  await page.setInputFiles('#apply-form [name=photo]', PHOTO);
  await page.getByRole('button', { name: 'Submit' }).click();
  await page.locator('.field-error[data-for=id_number]').filter({ hasText: 'check character' }).waitFor();
  assert.match(await text('.field-error[data-for=declaration]'), /confirm the declaration/);
  const selfId = residentId(true);
  await page.fill('#apply-form [name=id_number]', selfId);
  await page.check('#apply-form [name=declaration]');
  await page.getByRole('button', { name: 'Submit' }).click();
  // A resident ID is verified first: the platform's face page (the simulator's), where this new
  // test user's real identity is typed once, then the check runs and the page comes back.
  await faceCheck(page, selfName, selfId);

  // The code: green, its image drawn, the status in words.
  await visible('#code');
  await page.locator('#code-color').filter({ hasText: 'Green' }).waitFor();
  await page.waitForFunction(() => {
    const i = document.getElementById('code-img');
    return i.complete && i.naturalWidth >= 200 && i.src.includes('/code.png');
  });
  assert.match(await text('#code-detail'), /Show this code/);
  assert.equal(await page.locator('#report').isHidden(), true);
  assert.equal(await page.locator('#code-paper').isHidden(), true, 'no paper code link for oneself');
  const selfPid = await page.locator('#code').getAttribute('data-person');
  // The image is fetched again when the service's refresh_after_s has passed (the page's clock is
  // moved forward; the requests are real), so that a shown code never goes stale.
  const first = await page.locator('#code-img').getAttribute('src');
  const again = page.waitForRequest((r) => r.url().includes(`/persons/${selfPid}/code.png`));
  const status = page.waitForRequest((r) => r.url().endsWith(`/persons/${selfPid}/code`));
  await page.clock.runFor(31000);
  await Promise.all([again, status]);
  await page.waitForFunction((src) => {
    const i = document.getElementById('code-img');
    return i.src !== src && i.complete && i.naturalWidth >= 200;
  }, new URL(first, BASE).href);
  // The page shows nothing whole: neither the ID number nor the name.
  const shown = await page.locator('main').innerText();
  assert.ok(!shown.includes(selfId) && !shown.includes(selfName), shown);

  // Back to the list: one person, green; applying for oneself is no longer offered.
  await page.getByRole('button', { name: '← Back' }).first().click();
  await page.locator('#person-list button.person.green').waitFor();
  assert.equal(await page.locator('#person-list li').count(), 1);
  assert.equal(await page.locator('#apply-self').isHidden(), true);

  // A relative with a cough: a red code, and the daily report form.
  await page.getByRole('button', { name: 'Apply for a relative' }).click();
  await visible('#relationship-label');
  await page.selectOption('#apply-form [name=relationship]', 'parent');
  await page.fill('#apply-form [name=name]', name());
  await page.fill('#apply-form [name=id_number]', residentId(true));
  await page.fill('#apply-form [name=phone]', '13900139000');
  await page.fill('#apply-form [name=address]', '测试市测试区测试路2号');
  await page.setInputFiles('#apply-form [name=photo]', PHOTO);
  await page.locator('#apply-form .symptoms input[value=cough]').check();
  await page.check('#apply-form [name=declaration]');
  await page.getByRole('button', { name: 'Submit' }).click();
  await page.locator('#code-color').filter({ hasText: 'Red' }).waitFor();
  const relPid = await page.locator('#code').getAttribute('data-person');
  assert.notEqual(relPid, selfPid);
  assert.match(await text('#code-detail'), /Under observation until \d{4}-\d{2}-\d{2}/);
  await visible('#report');
  assert.match(await text('#code-report-status'), /file today's health report/);

  // The printable paper code of the relative is a PNG.
  await visible('#code-paper');
  const paper = await page.evaluate(async () => {
    const r = await fetch(document.getElementById('code-paper').href);
    return { status: r.status, type: r.headers.get('Content-Type'), size: (await r.arrayBuffer()).byteLength };
  });
  assert.equal(paper.status, 200);
  assert.equal(paper.type, 'image/png');
  assert.ok(paper.size > 300, JSON.stringify(paper));

  // A bad temperature is refused beside its field; then today's report is filed.
  await page.fill('#report [name=temperature]', '45.1');
  await page.getByRole('button', { name: 'Send report' }).click();
  await page.locator('#report .field-error[data-for=temperature]').filter({ hasText: 'Not a body temperature' }).waitFor();
  await page.fill('#report [name=temperature]', '36.6');
  await page.locator('#report .symptoms input[value=none]').check();
  await page.getByRole('button', { name: 'Send report' }).click();
  await page.locator('#notice').filter({ hasText: 'Report filed.' }).waitFor();
  await page.locator('#code-report-status').filter({ hasText: "Today's report is filed." }).waitFor();
  assert.equal(await page.locator('#report').isHidden(), true);

  // Someone else asks to hold the resident's own code: another phone logs in, verifies itself,
  // and applies for the resident as a relative with the resident's name and ID number. It holds
  // nothing until the resident approves.
  const other = await (await page.context().browser().newContext({ viewport: { width: 390, height: 844 } })).newPage();
  other.setDefaultTimeout(15000);
  other.on('pageerror', (e) => { throw e; });
  const delegateOpenid = 'oDelegate' + randomInt(1e9);
  await logIn(other, delegateOpenid);
  await other.getByRole('button', { name: 'Apply for myself' }).click();
  const delegateName = name(), delegateId = residentId(true);
  await fillApplication(other, delegateName, delegateId, '13700137000', '测试市测试区测试路3号');
  await other.getByRole('button', { name: 'Submit' }).click();
  await faceCheck(other, delegateName, delegateId);
  await other.locator('#code-color').filter({ hasText: 'Green' }).waitFor();
  await other.getByRole('button', { name: '← Back' }).first().click();
  await other.getByRole('button', { name: 'Apply for a relative' }).click();
  await other.selectOption('#apply-form [name=relationship]', 'child');
  await fillApplication(other, selfName, selfId, '13700137001', '测试市测试区测试路4号');
  await other.getByRole('button', { name: 'Submit' }).click();
  await other.locator('#notice').filter({ hasText: 'owner is asked to approve' }).waitFor();
  assert.equal(await other.locator('#person-list li').count(), 1, 'it holds only its own person');

  // The resident sees who asks, approves, and sees the new holder (and could remove it).
  await page.reload();
  await page.locator('#pending-list li').filter({ hasText: 'Child' }).waitFor();
  await page.locator('#pending-list').getByRole('button', { name: 'Approve' }).click();
  await page.locator('#notice').filter({ hasText: 'Approved.' }).waitFor();
  await page.locator('#holder-list li').filter({ hasText: 'Child' }).waitFor();
  assert.equal(await page.locator('#pending-list li').count(), 0);
  await page.locator('#holder-list').getByRole('button', { name: 'Remove' }).waitFor();
  await other.reload();
  await other.locator('#person-list li').nth(1).waitFor();
  await other.close();

  // A reload keeps the session: both persons, one green and one red.
  await page.reload();
  await page.locator('#person-list button.person.red').waitFor();
  assert.equal(await page.locator('#person-list button.person.green').count(), 1);

  // Log out: the session is over for the page and for the API.
  await page.getByRole('button', { name: 'Log out' }).click();
  await visible('#login');
  assert.equal(await page.evaluate(async () => (await fetch('/api/v1/me')).status), 401);

  // A failed login comes back with a word; the page says what to do and cleans its address.
  await page.goto(BASE + '/?login_error=STATE_INVALID');
  await page.locator('#notice').filter({ hasText: 'expired' }).waitFor();
  assert.equal(new URL(page.url()).search, '');

  return { openid, self: selfPid, relative: relPid, delegate: delegateOpenid };
});
