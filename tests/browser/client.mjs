// client.mjs: the thin client (nginx/html) as a resident uses it, in headless Chromium on a phone
// viewport against the real stack (nginx, hqr-fcgi, MariaDB, the platform simulator), in the
// language LANG (zh-CN, the default, or en: the browser's preferred language). The device's clock
// is set to another zone than the city's, so that the times shown must be the city's.
// Run by tests/integration/test_client.py, which passes BASE (the service's URL), PHOTO (a JPEG
// file), LANG and SHOTS (where screenshots and the printed card go), checks the database and the
// printed card afterwards. Prints one JSON line of what it did; exits 1 on failure.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import path from 'node:path';
import { accessible, drive, fitsWidth, meter, shot } from './page.mjs';

const BASE = process.env.BASE;
const PHOTO = process.env.PHOTO;
const LANG = process.env.LANG_UNDER_TEST || 'zh-CN';
const SHOTS = process.env.SHOTS;
assert.ok(BASE && PHOTO && SHOTS, 'BASE, PHOTO and SHOTS are required');
const ZH = LANG === 'zh-CN';
const L = ZH ? 'zh' : 'en';

// What a resident reads, in each language.
const W = ZH ? {
  login: '登录', applySelf: '为本人申领', applyRelative: '为亲友申领', submit: '提交', back: '← 返回',
  checksum: '证件号码校验位不正确。', declaration: '请确认申报内容属实。', green: '绿码', red: '红码',
  greenSr: '健康码状态：绿码，可通行。', show: '请在入口处出示此码。', until: /^居家观察至 \d{4}-\d{2}-\d{2}。/,
  please: '请提交今日健康打卡。', send: '提交打卡', badTemp: '不是人体体温。', filed: '打卡已提交。',
  done: '今日已打卡。', logout: '退出登录', expired: '登录链接已过期，请重新登录。', paper: '打印纸质码',
  switchTo: 'English', cardWarn: '须同时出示有效身份证件', weekday: /星期[一二三四五六日]/, printed: '打印日期',
  pending: '已请此人的本人账号同意', child: '子女', approve: '同意', approved: '已同意。', remove: '移除',
} : {
  login: 'Log in', applySelf: 'Apply for myself', applyRelative: 'Apply for a relative', submit: 'Submit',
  back: '← Back', checksum: 'The check character of the number does not match.',
  declaration: 'Please confirm the declaration.', green: 'Green code', red: 'Red code',
  greenSr: 'Health code status: green, free to travel.', show: 'Show this code at the entrance.',
  until: /^Under observation until \d{4}-\d{2}-\d{2}\./, please: "Please file today's health report.",
  send: 'Send report', badTemp: 'Not a body temperature.', filed: 'Report filed.', done: "Today's report is filed.",
  logout: 'Log out', expired: 'The login link has expired. Please log in again.', paper: 'Print the paper code',
  switchTo: '中文', cardWarn: 'Valid only with an ID card', weekday: /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) /, printed: 'Printed',
  pending: 'owner is asked to approve', child: 'Child', approve: 'Approve', approved: 'Approved.', remove: 'Remove',
};

const W17 = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
function residentId(checkOk = true) {
  const y = 1950 + randomInt(50), m = 1 + randomInt(12), d = 1 + randomInt(28);
  const body = '110101' + String(y) + String(m).padStart(2, '0') + String(d).padStart(2, '0') +
    String(randomInt(1000)).padStart(3, '0');
  const sum = [...body].reduce((s, c, i) => s + Number(c) * W17[i], 0);
  const check = '10X98765432'[sum % 11];
  const wrong = '10X98765432'[(sum + 1) % 11];
  return body + (checkOk ? check : wrong);
}
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂';
const name = () => '张' + GIVEN[randomInt(GIVEN.length)] + GIVEN[randomInt(GIVEN.length)];

// On the platform's face page (the simulator's): types who is really at the phone and starts the
// check; waits until the service's page is back.
async function faceCheck(page, realName, idNumber) {
  await page.waitForURL(/\/cityservice\/face\/verify/);
  await page.fill('input[name=real_name]', realName);
  await page.fill('input[name=id_number]', idNumber);
  await page.getByRole('button', { name: 'Start the face check' }).click();
  await page.waitForURL((u) => u.href.startsWith(BASE + '/'));
}

async function fillApplication(page, who, id, phone, address) {
  await page.fill('#apply-form [name=name]', who);
  await page.fill('#apply-form [name=id_number]', id);
  await page.fill('#apply-form [name=phone]', phone);
  await page.fill('#apply-form [name=address]', address);
  await page.setInputFiles('#apply-form [name=photo]', PHOTO);
  await page.check('#apply-form [name=declaration]');
}

// The city's wall clock now, as seconds into its day.
function citySeconds(ms) {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return Number(p.hour) * 3600 + Number(p.minute) * 60 + Number(p.second);
}
const seconds = (hms) => hms.split(':').reduce((s, x) => s * 60 + Number(x), 0);

await drive({ locale: ZH ? 'zh-CN' : 'en-US', timezoneId: 'America/New_York' }, async (page) => {
  await page.clock.install(); // timers run as usual until the test moves the clock on
  const visible = (sel) => page.locator(sel).waitFor({ state: 'visible' });
  const text = (sel) => page.locator(sel).innerText();
  const sizes = {};
  const shots = [];
  const snap = async (what) => shots.push(await shot(page, `${what}-${L}`));

  // Not logged in: a login button, nothing else; the page is in the browser's language.
  let m = meter(page);
  await page.goto(BASE + '/');
  await visible('#login');
  sizes.login = await m.stop();
  assert.equal(await page.locator('#persons').isHidden(), true);
  assert.equal(await page.getAttribute('html', 'lang'), LANG);
  assert.equal((await text('[data-lang-switch]')).trim(), W.switchTo);
  await accessible(page, 'login');
  await snap('login');

  // Log in through the platform's consent page (the simulator's) as a new user.
  const openid = 'oBrowser' + randomInt(1e9);
  await page.getByRole('link', { name: W.login }).click();
  await page.waitForURL(/\/connect\/oauth2\/authorize/);
  await page.fill('input[name=sim_user]', openid);
  m = meter(page);
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(BASE + '/');
  await visible('#persons');
  await visible('#no-persons');
  sizes.persons = await m.stop();
  await accessible(page, 'persons');

  // Apply for oneself: a wrong check digit is shown beside the ID number, in the page's words,
  // and tied to its field for a screen reader; then it goes through.
  await page.getByRole('button', { name: W.applySelf }).click();
  await visible('#apply-form');
  const selfName = name();
  await page.fill('#apply-form [name=name]', selfName);
  await page.fill('#apply-form [name=id_number]', residentId(false));
  await page.fill('#apply-form [name=phone]', '13800138000');
  await page.fill('#apply-form [name=address]', '测试市测试区测试路1号');
  await page.setInputFiles('#apply-form [name=photo]', PHOTO);
  await page.getByRole('button', { name: W.submit, exact: true }).click();
  await page.locator('.field-error[data-for=id_number]').filter({ hasText: W.checksum }).waitFor();
  assert.equal(await text('.field-error[data-for=declaration]'), W.declaration);
  const idInput = page.locator('#apply-form [name=id_number]');
  assert.equal(await idInput.getAttribute('aria-invalid'), 'true');
  const described = await idInput.getAttribute('aria-describedby');
  assert.equal(await page.locator('#' + described).innerText(), W.checksum);
  await accessible(page, 'apply with errors');
  await page.setViewportSize({ width: 320, height: 640 });
  await fitsWidth(page, 'apply form at 320 px');
  await snap('apply-error-320');
  await page.setViewportSize({ width: 390, height: 844 });
  const selfId = residentId(true);
  await page.fill('#apply-form [name=id_number]', selfId);
  await page.check('#apply-form [name=declaration]');
  await page.getByRole('button', { name: W.submit, exact: true }).click();
  // A resident ID is verified first: the platform's face page (the simulator's), where this new
  // test user's real identity is typed once, then the check runs and the page comes back.
  await faceCheck(page, selfName, selfId);

  // The code: a band in green with its word, the color stated for a screen reader, the masked
  // name, the city's time ticking, the image in a moving border of the day's colour.
  await visible('#code');
  await page.locator('#code-color').filter({ hasText: W.green }).waitFor();
  assert.match(await page.getAttribute('#code-band', 'class'), /\bgreen\b/);
  assert.equal(await page.locator('#code-color-sr').textContent(), W.greenSr);
  assert.match(await text('#code-name'), /^张\*+[^*]?$/);
  await page.waitForFunction(() => {
    const i = document.getElementById('code-img');
    return i.complete && i.naturalWidth >= 200 && i.src.includes('/code.png');
  });
  assert.equal(await text('#code-detail'), W.show);
  assert.equal(await page.locator('#report').isHidden(), true);
  assert.equal(await page.locator('#code-paper').isHidden(), true, 'no paper code for oneself');
  const selfPid = await page.locator('#code').getAttribute('data-person');
  const status = await page.evaluate(async (id) => (await fetch(`/api/v1/persons/${id}/code`)).json(), selfPid);
  assert.match(status.day_color, /^#[0-9a-f]{6}$/);
  const border = await page.evaluate(() => {
    const f = getComputedStyle(document.getElementById('code-frame'));
    return { day: f.getPropertyValue('--day').trim(), animation: f.animationName, running: f.animationPlayState,
      image: f.backgroundImage };
  });
  assert.deepEqual([border.day, border.animation, border.running], [status.day_color, 'march', 'running']);
  const rgb = status.day_color.slice(1).match(/../g).map((x) => parseInt(x, 16)).join(', ');
  assert.ok(border.image.includes(`rgb(${rgb})`), border.image);
  // The clock: the city's time (not the device's zone), from the server's clock; a second
  // later it reads a second more (the page's clock is paused, then moved on by one second).
  await page.clock.pauseAt(Date.now() + 1500);
  const t1 = await text('#code-time');
  const pageNow = await page.evaluate(() => Date.now());
  const drift = (seconds(t1) - citySeconds(Date.now()) + 86400) % 86400;
  assert.ok(Math.min(drift, 86400 - drift) <= 6, `${t1} is not the city's time now (${drift} s; page ${pageNow - Date.now()} ms)`);
  assert.match(await text('#code-date'), W.weekday);
  await page.clock.runFor(1000);
  const t2 = await text('#code-time');
  assert.notEqual(t2, t1);
  assert.equal((seconds(t2) - seconds(t1) + 86400) % 86400, 1, `${t1} then ${t2}`);
  await page.clock.resume();
  await accessible(page, 'code');
  await snap('code');
  await page.setViewportSize({ width: 320, height: 640 });
  await fitsWidth(page, 'code page at 320 px');
  await snap('code-320');
  await page.setViewportSize({ width: 390, height: 844 });

  // The image is fetched again when the service's refresh_after_s has passed (the page's clock is
  // moved forward; the requests are real), so that a shown code never goes stale.
  const first = await page.locator('#code-img').getAttribute('src');
  const again = page.waitForRequest((r) => r.url().includes(`/persons/${selfPid}/code.png`));
  const statusAgain = page.waitForRequest((r) => r.url().endsWith(`/persons/${selfPid}/code`));
  await page.clock.runFor(31000);
  await Promise.all([again, statusAgain]);
  await page.waitForFunction((src) => {
    const i = document.getElementById('code-img');
    return i.complete && i.naturalWidth >= 200 && i.src !== src;
  }, new URL(first, BASE).href);
  // The page shows nothing whole: neither the ID number nor the name.
  const shown = await page.locator('main').innerText();
  assert.ok(!shown.includes(selfId) && !shown.includes(selfName), shown);

  // The language switch: the other language at once, kept across a reload, and back.
  const other = ZH ? { green: 'Green code', lang: 'en', sw: '中文' } : { green: '绿码', lang: 'zh-CN', sw: 'English' };
  await page.locator('[data-lang-switch]').click();
  await page.locator('#code-color').filter({ hasText: other.green }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), other.lang);
  await page.reload();
  await visible('#persons');
  assert.equal(await page.getAttribute('html', 'lang'), other.lang);
  assert.equal((await text('[data-lang-switch]')).trim(), other.sw);
  await page.locator('[data-lang-switch]').click();
  assert.equal(await page.getAttribute('html', 'lang'), LANG);

  // The list: one person, green; applying for oneself is no longer offered.
  await page.locator('#person-list button.person.green').waitFor();
  assert.equal(await page.locator('#person-list li').count(), 1);
  assert.ok((await text('#person-list')).includes(W.green));
  assert.equal(await page.locator('#apply-self').isHidden(), true);

  // A relative with a cough: a red code, and the daily report form.
  await page.getByRole('button', { name: W.applyRelative }).click();
  await visible('#relationship-row');
  await page.selectOption('#apply-form [name=relationship]', 'parent');
  await page.fill('#apply-form [name=name]', name());
  await page.fill('#apply-form [name=id_number]', residentId(true));
  await page.fill('#apply-form [name=phone]', '13900139000');
  await page.fill('#apply-form [name=address]', '测试市测试区测试路2号');
  await page.setInputFiles('#apply-form [name=photo]', PHOTO);
  await page.locator('#apply-form .symptoms input[value=cough]').check();
  await page.check('#apply-form [name=declaration]');
  await page.getByRole('button', { name: W.submit, exact: true }).click();
  await page.locator('#code-color').filter({ hasText: W.red }).waitFor();
  const relPid = await page.locator('#code').getAttribute('data-person');
  assert.notEqual(relPid, selfPid);
  assert.match(await text('#code-detail'), W.until);
  await visible('#report');
  assert.match(await text('#code-report-status'), new RegExp('^' + W.please.replace(/[.()]/g, '\\$&')));
  await accessible(page, 'red code with report form');
  await snap('code-red');

  // A bad temperature is refused beside its field; then today's report is filed.
  await page.fill('#report [name=temperature]', '45.1');
  await page.getByRole('button', { name: W.send }).click();
  await page.locator('#report .field-error[data-for=temperature]').filter({ hasText: W.badTemp }).waitFor();
  await page.fill('#report [name=temperature]', '36.6');
  await page.locator('#report .symptoms input[value=none]').check();
  await page.getByRole('button', { name: W.send }).click();
  await page.locator('#notice').filter({ hasText: W.filed }).waitFor();
  await page.locator('#code-report-status').filter({ hasText: W.done }).waitFor();
  assert.equal(await page.locator('#report').isHidden(), true);

  // The relative's paper code opens as a card to print: the QR, the masked name and ID, the
  // serial, and "valid only with an ID card"; the printed PDF is one A6 page of the card alone.
  await visible('#code-paper');
  assert.equal(await text('#code-paper'), W.paper);
  m = meter(page);
  await page.locator('#code-paper').click();
  await page.waitForURL(/\/card\.html\?id=/);
  await page.locator('body[data-ready="1"]').waitFor();
  sizes.card = await m.stop();
  assert.match(await text('#card-name'), /^张\*+[^*]?$/);
  assert.match(await text('#card-id'), /^\d{1,6}\*+[\dX]{1,4}$/);
  assert.equal(await text('#card-serial'), '1');
  assert.ok((await text('#card')).includes(W.cardWarn));
  assert.ok(await page.evaluate(() => document.getElementById('card-qr').naturalWidth >= 300));
  // The card says the date it was printed, as the city reads it whatever the device's zone: the
  // page is read again with the device in a zone whose date is not the city's at this moment
  // (UTC-12 or UTC+14: one of the two always differs from the city's date).
  const relStatus = await page.evaluate(async (id) => (await fetch(`/api/v1/persons/${id}/code`,
    { credentials: 'same-origin' })).json(), relPid);
  // YYYY-MM-DD from the parts: the en-CA pattern itself differs between ICU versions (Debian's
  // Node.js 18 with ICU 72 formats en-CA as 12/07/2026).
  const ymd = (zone, ms) => {
    const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit',
      day: '2-digit' }).formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day}`;
  };
  const cardDate = ymd(relStatus.time_zone, Date.parse(relStatus.server_time));
  const away = ['Etc/GMT+12', 'Pacific/Kiritimati'].find((z) => ymd(z, Date.now()) !== cardDate);
  assert.ok(away, `no zone away from ${cardDate}`);
  const awayCtx = await page.context().browser().newContext({
    viewport: { width: 390, height: 844 }, locale: ZH ? 'zh-CN' : 'en-US', timezoneId: away,
    storageState: await page.context().storageState() });
  const awayPage = await awayCtx.newPage();
  awayPage.setDefaultTimeout(15000);
  await awayPage.goto(page.url());
  await awayPage.locator('body[data-ready="1"]').waitFor();
  assert.equal(await awayPage.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone), away);
  assert.equal(await awayPage.locator('#card-date').innerText(), cardDate);
  assert.equal(await awayPage.locator('#card-date-label').innerText(), W.printed);
  await awayCtx.close();
  // And on the page as first opened (the device in New York).
  assert.equal(await text('#card-date'), cardDate);
  assert.equal(await text('#card-date-label'), W.printed);
  await accessible(page, 'card');
  await snap('card');
  await page.setViewportSize({ width: 320, height: 640 });
  await fitsWidth(page, 'card at 320 px');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.emulateMedia({ media: 'print' });
  const pdf = path.join(SHOTS, `card-${L}.pdf`);
  await page.pdf({ path: pdf, preferCSSPageSize: true, printBackground: true });
  await page.emulateMedia({ media: 'screen' });

  // Someone else asks to hold the resident's own code: another phone logs in, verifies itself,
  // and applies for the resident as a relative with the resident's name and ID number. It holds
  // nothing until the resident approves.
  const phone2 = await (await page.context().browser().newContext({
    viewport: { width: 390, height: 844 }, locale: ZH ? 'zh-CN' : 'en-US' })).newPage();
  phone2.setDefaultTimeout(15000);
  const delegateOpenid = 'oDelegate' + randomInt(1e9);
  await phone2.goto(BASE + '/');
  await phone2.getByRole('link', { name: W.login }).click();
  await phone2.waitForURL(/\/connect\/oauth2\/authorize/);
  await phone2.fill('input[name=sim_user]', delegateOpenid);
  await phone2.getByRole('button', { name: 'Allow' }).click();
  await phone2.waitForURL(BASE + '/');
  await phone2.getByRole('button', { name: W.applySelf }).click();
  const delegateName = name(), delegateId = residentId(true);
  await fillApplication(phone2, delegateName, delegateId, '13700137000', '测试市测试区测试路3号');
  await phone2.getByRole('button', { name: W.submit, exact: true }).click();
  await faceCheck(phone2, delegateName, delegateId);
  await phone2.locator('#code-color').filter({ hasText: W.green }).waitFor();
  await phone2.getByRole('button', { name: W.back }).first().click();
  await phone2.getByRole('button', { name: W.applyRelative }).click();
  await phone2.selectOption('#apply-form [name=relationship]', 'child');
  await fillApplication(phone2, selfName, selfId, '13700137001', '测试市测试区测试路4号');
  await phone2.getByRole('button', { name: W.submit, exact: true }).click();
  await phone2.locator('#notice').filter({ hasText: W.pending }).waitFor();
  assert.equal(await phone2.locator('#person-list li').count(), 1, 'it holds only its own person');

  // The resident sees who asks, approves, and sees the new holder (and could remove it).
  await page.goto(BASE + '/');
  await page.locator('#pending-list li').filter({ hasText: W.child }).waitFor();
  await accessible(page, 'persons with a delegation asked');
  await page.locator('#pending-list').getByRole('button', { name: W.approve }).click();
  await page.locator('#notice').filter({ hasText: W.approved }).waitFor();
  await page.locator('#holder-list li').filter({ hasText: W.child }).waitFor();
  assert.equal(await page.locator('#pending-list li').count(), 0);
  await page.locator('#holder-list').getByRole('button', { name: W.remove }).waitFor();
  await phone2.reload();
  await phone2.locator('#person-list li').nth(1).waitFor();
  await phone2.context().close();

  // A reload keeps the session: both persons, one green and one red.
  await page.goto(BASE + '/');
  await page.locator('#person-list button.person.red').waitFor();
  assert.equal(await page.locator('#person-list button.person.green').count(), 1);
  await snap('persons');

  // Log out: the session is over for the page and for the API.
  await page.getByRole('button', { name: W.logout }).click();
  await visible('#login');
  assert.equal(await page.evaluate(async () => (await fetch('/api/v1/me')).status), 401);

  // A failed login comes back with a word; the page says it in words and cleans its address.
  await page.goto(BASE + '/?login_error=STATE_INVALID');
  await page.locator('#notice').filter({ hasText: W.expired }).waitFor();
  assert.equal(new URL(page.url()).search, '');

  // Each page's first view stays small.
  for (const [what, n] of Object.entries(sizes)) assert.ok(n > 0 && n <= 60 * 1024, `${what}: ${n} bytes`);

  return { openid, self: selfPid, relative: relPid, delegate: delegateOpenid, pdf, cardDate, sizes, shots };
});
