// app.js: the thin client inside the chat app: log in, apply (for oneself or a relative), show a
// code (refreshed as the service says), file the daily report while red, log out. Talks only to
// this origin's /api/v1; state-changing calls carry X-Requested-With: hqr (the CSRF rule).
// Words come from i18n.js (Chinese first); the code page is made hard to fake: a band in the
// code's color, the masked name, the city's time ticking from the server's clock, and a moving
// border in the colour the service gives for the day.
'use strict';

const T = I18N.t;
I18N.add({
  'login.text': ['使用聊天账号登录，申领或出示健康码。', 'Log in with your chat account to apply for a health code or show it.'],
  'login.button': ['登录', 'Log in'],
  'login.failed': ['登录未成功（{word}），请重试。', 'The login did not succeed ({word}). Please try again.'],
  'persons.title': ['我的健康码', 'My health codes'],
  'persons.none': ['您还没有健康码。', 'You have no health code yet.'],
  'persons.apply_self': ['为本人申领', 'Apply for myself'],
  'persons.apply_relative': ['为亲友申领', 'Apply for a relative'],
  'persons.logout': ['退出登录', 'Log out'],
  'persons.logged_out': ['您已退出登录。', 'You have logged out.'],
  'nav.back': ['← 返回', '← Back'],
  'code.img_alt': ['健康码二维码', 'Health code QR'],
  'code.show': ['请在入口处出示此码。', 'Show this code at the entrance.'],
  'code.observation': ['居家观察中。', 'Under observation.'],
  'code.observation_until': ['居家观察至 {date}。', 'Under observation until {date}.'],
  'code.cannot_show': ['暂时无法显示健康码。', 'The code cannot be shown now.'],
  'code.session_ended': ['登录已过期，请重新登录。', 'Your login has ended. Please log in again.'],
  'code.paper': ['打印纸质码', 'Print the paper code'],
  'code.because': ['原因：{reason}', 'Why: {reason}'],
  'report.title': ['今日健康打卡', "Today's health report"],
  'report.temperature': ['体温（°C）', 'Temperature (°C)'],
  'report.send': ['提交打卡', 'Send report'],
  'report.filed': ['打卡已提交。', 'Report filed.'],
  'report.done': ['今日已打卡。', "Today's report is filed."],
  'report.please': ['请提交今日健康打卡。', "Please file today's health report."],
  'report.missed': ['漏报天数：{n}。', 'Missed days: {n}.'],
  'report.earliest': ['最早转绿日期：{date}。', 'Earliest green: {date}.'],
  'form.symptoms': ['症状', 'Symptoms'],
  'apply.self': ['为本人申领', 'Apply for myself'],
  'apply.relative': ['为亲友申领', 'Apply for a relative'],
  'apply.relationship': ['与您的关系', 'Relationship'],
  'apply.name': ['姓名', 'Name'],
  'apply.id_type': ['证件类型', 'ID document'],
  'apply.id_number': ['证件号码', 'ID number'],
  'apply.phone': ['手机号码', 'Mobile phone'],
  'apply.address': ['住址', 'Address'],
  'apply.photo': ['证件照（JPEG 或 PNG）', 'ID photo (JPEG or PNG)'],
  'apply.travel': ['近 14 天行程', 'Travel in the last 14 days'],
  'apply.travel_add': ['添加城市', 'Add a city'],
  'apply.city': ['城市', 'City'],
  'apply.from': ['起', 'From'],
  'apply.to': ['止', 'To'],
  'apply.temperature': ['体温（°C，选填）', 'Temperature (°C, optional)'],
  'apply.contact': ['是否与确诊或疑似病例密切接触', 'Close contact with a confirmed or suspected case'],
  'apply.declaration': ['本人承诺以上信息真实。', 'I declare that the above is true.'],
  'apply.submit': ['提交', 'Submit'],
  'common.yes': ['是', 'Yes'],
  'common.no': ['否', 'No'],
  'rel.self': ['本人', 'Myself'],
  'rel.parent': ['父母', 'Parent'],
  'rel.grandparent': ['祖父母/外祖父母', 'Grandparent'],
  'rel.child': ['子女', 'Child'],
  'rel.grandchild': ['孙子女/外孙子女', 'Grandchild'],
  'rel.spouse': ['配偶', 'Spouse'],
  'rel.sibling': ['兄弟姐妹', 'Sibling'],
  'rel.other': ['其他亲友', 'Relative'],
  'doc.resident_id': ['居民身份证', 'Resident ID card'],
  'doc.passport': ['护照', 'Passport'],
  'doc.hk_macao_permit': ['港澳居民来往内地通行证', 'Hong Kong / Macao permit'],
  'doc.taiwan_permit': ['台湾居民来往大陆通行证', 'Taiwan permit'],
  'doc.foreign_permanent_id': ['外国人永久居留身份证', 'Foreign permanent resident ID'],
  'sym.none': ['无', 'None'],
  'sym.fever': ['发热', 'Fever'],
  'sym.cough': ['咳嗽', 'Cough'],
  'sym.sore_throat': ['咽痛', 'Sore throat'],
  'sym.fatigue': ['乏力', 'Fatigue'],
  'sym.shortness_of_breath': ['气促', 'Shortness of breath'],
  'sym.diarrhea': ['腹泻', 'Diarrhea'],
  'sym.loss_of_taste_or_smell': ['嗅觉或味觉减退', 'Loss of taste or smell'],
  'deleg.title': ['谁在代管您的健康码', 'Who holds your code'],
  'deleg.nobody': ['只有您本人。', 'Nobody but you.'],
  'deleg.pending': ['申请代管您的健康码', 'Asking to hold your code'],
  'deleg.unverified': ['未实名', 'Unverified'],
  'deleg.remove': ['移除', 'Remove'],
  'deleg.approve': ['同意', 'Approve'],
  'deleg.refuse': ['拒绝', 'Refuse'],
  'deleg.removed': ['已移除。', 'Removed.'],
  'deleg.approved': ['已同意。', 'Approved.'],
  'deleg.refused': ['已拒绝。', 'Refused.'],
  'deleg.not_done': ['未能完成。', 'Not done.'],
  'apply.pending': ['已请此人的本人账号同意，同意前您不能代管。', "The person's owner is asked to approve. Until then you hold nothing."],
  'apply.storage': ['照片太大，无法暂存。', 'The photo is too large to keep.'],
  'apply.refused': ['申领未被接受。', 'The application was not accepted.'],
  'verify.failed': ['人脸核验未通过。', 'The face check did not pass.'],
});

const SYMPTOMS = ['none', 'fever', 'cough', 'sore_throat', 'fatigue', 'shortness_of_breath', 'diarrhea',
  'loss_of_taste_or_smell'];

const $ = (id) => document.getElementById(id);
let refreshTimer = null;
let tickTimer = null;
let clockOffset = 0; // the server's clock minus this device's, in ms
let shown = null; // { person, code } on the code page, to redraw its words on a language switch

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin' };
  if (method !== 'GET') headers['X-Requested-With'] = 'hqr';
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let r;
  const sent = Date.now();
  try {
    r = await fetch(path, init);
  } catch (e) {
    return { status: 0, body: { error: { code: 'NETWORK' } } };
  }
  let json = null;
  if ((r.headers.get('Content-Type') || '').startsWith('application/json')) json = await r.json().catch(() => null);
  return { status: r.status, body: json, sent, received: Date.now() };
}

function notice(text) {
  const n = $('notice');
  n.textContent = text || '';
  n.hidden = !text;
}

function show(id) {
  for (const s of ['login', 'persons', 'code', 'apply']) $(s).hidden = s !== id;
  document.body.classList.toggle('on-code', id === 'code');
  if (id !== 'code') {
    clearTimeout(refreshTimer);
    clearTimeout(tickTimer);
    refreshTimer = tickTimer = null;
    shown = null;
  }
}

const colorWord = (c) => T('color.' + (c === 'green' || c === 'red' ? c : 'none'));
const relWord = (r) => (I18N.has('rel.' + r) ? T('rel.' + r) : T('rel.other'));

// Ties each form's error lines to their fields (aria-describedby), once.
function tieErrors(form) {
  for (const p of form.querySelectorAll('.field-error[data-for]')) {
    p.id = p.id || `${form.id}-err-${p.dataset.for}`;
    p.setAttribute('aria-live', 'polite');
    const sel = p.dataset.for === 'symptoms' ? '.symptoms input' : `[name="${p.dataset.for}"]`;
    for (const el of form.querySelectorAll(sel)) {
      if (el.type === 'hidden') continue;
      el.setAttribute('aria-describedby', p.id);
    }
  }
}

function fillSymptoms(fieldset, name) {
  for (const value of SYMPTOMS) {
    const l = document.createElement('label');
    l.className = 'check';
    const i = document.createElement('input');
    i.type = 'checkbox';
    i.name = name;
    i.value = value;
    const s = document.createElement('span');
    s.dataset.i18n = 'sym.' + value;
    s.textContent = T('sym.' + value);
    l.append(i, ' ', s);
    fieldset.append(l);
  }
}

function checkedSymptoms(form) {
  const v = [...form.querySelectorAll('.symptoms input:checked')].map((i) => i.value);
  return v.length ? v : ['none'];
}

function clearErrors(form) {
  for (const p of form.querySelectorAll('.field-error')) {
    p.textContent = '';
    delete p.dataset.code;
  }
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

// Shows a 422's field errors beside their fields; anything else in the form's line.
function showErrors(form, res) {
  const err = (res.body && res.body.error) || { code: res.status === 0 ? 'NETWORK' : 'UNAVAILABLE' };
  const fields = err.fields || [];
  let shownCount = 0;
  for (const f of fields) {
    const key = String(f.field).replace(/\[.*$/, '');
    const p = form.querySelector(`.field-error[data-for="${key}"]`);
    if (p) {
      p.dataset.code = f.code;
      p.textContent = I18N.word(f.code);
      for (const el of form.querySelectorAll(`[name="${key}"]`)) el.setAttribute('aria-invalid', 'true');
      shownCount++;
    }
  }
  if (!shownCount) {
    const p = form.querySelector('.field-error[data-for="form"], .field-error[data-for="report"]');
    if (p) {
      p.dataset.code = err.code;
      p.textContent = err.code === 'NETWORK' ? T('net.unreachable') : I18N.word(err.code);
    }
  }
}

// Error lines keep their code word, so that a language switch redraws them.
function redrawErrors() {
  for (const p of document.querySelectorAll('.field-error[data-code]')) {
    p.textContent = p.dataset.code === 'NETWORK' ? T('net.unreachable') : I18N.word(p.dataset.code);
  }
}

async function start() {
  const q = new URLSearchParams(location.search);
  const le = q.get('login_error');
  if (le) {
    notice(I18N.has('w.' + le) ? I18N.word(le) : T('login.failed', { word: le }));
    history.replaceState(null, '', '/');
  }
  const vid = q.get('verification');
  if (vid || q.get('verify_error')) {
    history.replaceState(null, '', '/');
    if (await resumeApply(vid, q.get('verify_error'))) return;
  }
  await home();
}

let persons = [];
const SAVED = 'hqr-apply'; // the application waiting for its face check (sessionStorage)

// The account's persons (null when not logged in).
async function home() {
  const res = await api('GET', '/api/v1/me');
  if (res.status === 401) {
    show('login');
    return null;
  }
  if (res.status !== 200) {
    notice(T('net.busy'));
    show('login');
    return null;
  }
  persons = res.body.persons;
  drawPersons();
  show('persons');
  return persons;
}

function drawPersons() {
  const list = $('person-list');
  list.textContent = '';
  for (const p of persons) {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'person ' + p.color;
    b.dataset.person = p.id;
    b.textContent = `${p.name_masked} · ${relWord(p.relationship)} · ${colorWord(p.color)}`;
    b.addEventListener('click', () => openCode(p));
    li.append(b);
    list.append(li);
  }
  $('no-persons').hidden = persons.length > 0;
  $('apply-self').hidden = persons.some((p) => p.relationship === 'self');
  showDelegates(persons.find((p) => p.owner));
}

// The owner's view: every holder of its code (removable) and who asks to hold it.
function showDelegates(p) {
  $('delegates').hidden = !p;
  if (!p) return;
  const item = (text, buttons) => {
    const li = document.createElement('li');
    li.append(text + ' ');
    for (const [label, fn] of buttons) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'quiet';
      b.textContent = T(label);
      b.addEventListener('click', fn);
      li.append(b, ' ');
    }
    return li;
  };
  const who = (x) => `${x.name_masked || T('deleg.unverified')} · ${relWord(x.relationship)}`;
  const holders = $('holder-list');
  holders.textContent = '';
  for (const x of p.holders || []) {
    holders.append(item(who(x), [['deleg.remove', () => decide('DELETE',
      `/api/v1/persons/${encodeURIComponent(p.id)}/holders/${x.holder_id}`, 'deleg.removed')]]));
  }
  $('no-holders').hidden = (p.holders || []).length > 0;
  const pending = $('pending-list');
  pending.textContent = '';
  for (const d of p.pending_delegations || []) {
    pending.append(item(who(d), [
      ['deleg.approve', () => decide('POST', `/api/v1/delegations/${d.id}/approve`, 'deleg.approved')],
      ['deleg.refuse', () => decide('POST', `/api/v1/delegations/${d.id}/refuse`, 'deleg.refused')],
    ]));
  }
  $('pending-title').hidden = (p.pending_delegations || []).length === 0;
}

async function decide(method, path, done) {
  const res = await api(method, path);
  const err = res.body && res.body.error;
  notice(res.status < 300 ? T(done) : (err ? I18N.word(err.code) : T('deleg.not_done')));
  await home();
}

async function openCode(p) {
  notice('');
  $('code-name').textContent = p.name_masked;
  $('code-paper').hidden = p.relationship === 'self';
  $('code-paper').href = `/card.html?id=${encodeURIComponent(p.id)}`;
  $('code-band').className = 'band';
  $('code-color').textContent = $('code-color-sr').textContent = '';
  show('code');
  $('code').dataset.person = p.id;
  shown = { person: p, code: null };
  tick();
  await refreshCode(p.id);
}

// The city's date and time from the server's clock, redrawn at each second.
function tick() {
  clearTimeout(tickTimer);
  const now = Date.now() + clockOffset;
  $('code-date').textContent = I18N.day(now);
  $('code-time').textContent = I18N.time(now);
  tickTimer = setTimeout(tick, 1000 - (now % 1000) + 5);
}

function drawCode() {
  if (!shown || !shown.code) return;
  const c = shown.code;
  const color = c.color === 'green' || c.color === 'red' ? c.color : 'none';
  $('code-band').className = 'band ' + color;
  $('code-color').textContent = colorWord(color);
  $('code-color-sr').textContent = T(`color.${color}.sr`);
  let detail = c.color === 'red'
    ? (c.observation_until ? T('code.observation_until', { date: c.observation_until }) : T('code.observation'))
    : T('code.show');
  if (c.color === 'red' && c.reason && I18N.has('w.' + c.reason)) detail += ' ' + T('code.because', { reason: I18N.word(c.reason) });
  $('code-detail').textContent = detail;
  const rep = c.report || {};
  if (rep.required) {
    let s = rep.today_done ? T('report.done') : T('report.please') + (rep.missed_days ? ' ' + T('report.missed', { n: rep.missed_days }) : '');
    if (rep.can_turn_green_on) s += ' ' + T('report.earliest', { date: rep.can_turn_green_on });
    $('code-report-status').textContent = s;
  } else {
    $('code-report-status').textContent = '';
  }
}

// Reads the status and reloads the image; again after refresh_after_s while the page shows it.
async function refreshCode(id) {
  if ($('code').hidden || $('code').dataset.person !== id) return;
  const res = await api('GET', `/api/v1/persons/${encodeURIComponent(id)}/code`);
  if (res.status !== 200) {
    notice(res.status === 401 ? T('code.session_ended') : T('code.cannot_show'));
    if (res.status === 401) show('login');
    return;
  }
  const c = res.body;
  const server = Date.parse(c.server_time);
  // The server read its clock somewhere between sending and receiving: take the middle.
  if (!Number.isNaN(server)) clockOffset = server - (res.sent + res.received) / 2;
  if (c.time_zone) I18N.zone = c.time_zone;
  if (/^#[0-9a-f]{6}$/i.test(c.day_color || '')) $('code-frame').style.setProperty('--day', c.day_color);
  $('code-frame').dataset.day = c.day_color || '';
  shown.code = c;
  drawCode();
  tick();
  $('code-img').src = `/api/v1/persons/${encodeURIComponent(id)}/code.png?t=${Date.now()}`;
  const form = $('report');
  form.hidden = !(c.report && c.report.required && !c.report.today_done);
  clearTimeout(refreshTimer);
  const after = Math.max(5, Math.min(300, Number(c.refresh_after_s) || 30));
  refreshTimer = setTimeout(() => refreshCode(id), after * 1000);
}

async function sendReport(ev) {
  ev.preventDefault();
  const form = $('report');
  const id = $('code').dataset.person;
  clearErrors(form);
  const t = form.elements.temperature.value.trim();
  const res = await api('POST', `/api/v1/persons/${encodeURIComponent(id)}/reports`,
    { temperature: t, symptoms: checkedSymptoms(form) });
  if (res.status === 201 || res.status === 200) {
    form.reset();
    notice(T('report.filed'));
    await refreshCode(id);
  } else {
    showErrors(form, res);
  }
}

function travelRow() {
  const row = document.createElement('div');
  row.className = 'travel-row';
  for (const [name, key, type] of [['city', 'apply.city', 'text'], ['from', 'apply.from', 'date'], ['to', 'apply.to', 'date']]) {
    const l = document.createElement('label');
    const s = document.createElement('span');
    s.dataset.i18n = key;
    s.textContent = T(key);
    const i = document.createElement('input');
    i.name = 'travel-' + name;
    i.type = type;
    i.setAttribute('aria-describedby', 'apply-form-err-travel');
    l.append(s, ' ', i);
    row.append(l);
  }
  $('travel-rows').append(row);
}

function openApply(forSelf) {
  notice('');
  const form = $('apply-form');
  form.reset();
  clearErrors(form);
  $('travel-rows').textContent = '';
  form.elements.for.value = forSelf ? 'self' : 'relative';
  $('relationship-row').hidden = forSelf;
  $('apply-title').dataset.i18n = forSelf ? 'apply.self' : 'apply.relative';
  $('apply-title').textContent = T($('apply-title').dataset.i18n);
  show('apply');
}

async function sendApply(ev) {
  ev.preventDefault();
  const form = $('apply-form');
  clearErrors(form);
  const fd = new FormData();
  const e = form.elements;
  fd.append('for', e.for.value);
  if (e.for.value === 'relative') fd.append('relationship', e.relationship.value);
  for (const k of ['name', 'id_type', 'id_number', 'phone', 'address']) fd.append(k, e[k].value.trim());
  if (e.photo.files.length) fd.append('photo', e.photo.files[0]);
  const travel = [...document.querySelectorAll('.travel-row')]
    .map((r) => ({
      city: r.querySelector('[name=travel-city]').value.trim(),
      from: r.querySelector('[name=travel-from]').value,
      to: r.querySelector('[name=travel-to]').value,
    }))
    .filter((t) => t.city || t.from || t.to);
  fd.append('travel', JSON.stringify(travel));
  fd.append('symptoms', checkedSymptoms(form).join(','));
  if (e.temperature.value.trim()) fd.append('temperature', e.temperature.value.trim());
  fd.append('contact', form.querySelector('input[name=contact]:checked').value);
  fd.append('declaration', e.declaration.checked ? 'true' : 'false');
  // One key per filled form: a double tap or a retry after a lost answer applies once.
  if (!form.dataset.key) form.dataset.key = crypto.randomUUID();
  const res = await apiWithKey(fd, form.dataset.key);
  const err = res.body && res.body.error;
  if (res.status === 422 && err && err.code === 'VERIFICATION_REQUIRED') {
    await verifyThenApply(fd, form.dataset.key, form);
  } else if (await applied(res)) {
    delete form.dataset.key;
  } else {
    if (res.status === 422) delete form.dataset.key;
    showErrors(form, res);
    const first = form.querySelector('[aria-invalid=true]');
    if (first) first.focus();
  }
}

// A made (201) or pending (202) application: the list, and the new code. false otherwise.
async function applied(res) {
  if (res.status === 202) {
    await home();
    notice(T('apply.pending'));
    return true;
  }
  if (res.status !== 201 && res.status !== 200) return false;
  const list = (await home()) || [];
  const p = list.find((x) => x.id === res.body.person.id);
  if (p) await openCode(p);
  return true;
}

// A self application for a resident ID needs the platform's face check of that identity: the
// application waits in this tab's storage while the person goes to the face page and back.
async function verifyThenApply(fd, key, form) {
  const parts = [];
  for (const [k, v] of fd.entries()) {
    if (typeof v === 'string') parts.push([k, v]);
    else parts.push([k, { name: v.name, type: v.type, data: await fileData(v) }]);
  }
  const res = await api('POST', '/api/v1/verifications',
    { name: fd.get('name'), id_type: fd.get('id_type'), id_number: fd.get('id_number'), next: '/' });
  if (res.status !== 201) {
    showErrors(form, res);
    return;
  }
  try {
    sessionStorage.setItem(SAVED, JSON.stringify({ key, vid: res.body.verification_id, parts }));
  } catch (e) {
    const p = form.querySelector('.field-error[data-for="photo"]');
    p.textContent = T('apply.storage');
    return;
  }
  location.assign(res.body.face_url);
}

// A data: URL back into a Blob, without fetch (the page's policy allows only its own origin).
function dataBlob(url, type) {
  const bin = atob(url.slice(url.indexOf(',') + 1));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type });
}

function fileData(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result);
    r.onerror = reject;
    r.readAsDataURL(file);
  });
}

function verifyWords(word) {
  if (!word || !I18N.has('w.' + word)) return T('verify.failed');
  return I18N.word(word);
}

// Back from the face page: the service asked the platform how it went; a passed check sends the
// waiting application with its verification. true when it answered the page.
async function resumeApply(vid, error) {
  let saved = null;
  try {
    saved = JSON.parse(sessionStorage.getItem(SAVED) || 'null');
    sessionStorage.removeItem(SAVED);
  } catch (e) { /* nothing was kept */ }
  if (!saved || saved.vid !== vid) return false;
  if (error) {
    await home();
    notice(verifyWords(error));
    return true;
  }
  const v = await api('GET', `/api/v1/verifications/${encodeURIComponent(vid)}`);
  if (v.status !== 200 || v.body.status !== 'passed') {
    await home();
    notice(verifyWords(v.body && v.body.result));
    return true;
  }
  const fd = new FormData();
  for (const [k, v2] of saved.parts) {
    if (typeof v2 === 'string') fd.append(k, v2);
    else fd.append(k, dataBlob(v2.data, v2.type), v2.name);
  }
  fd.append('verification_id', vid);
  const res = await apiWithKey(fd, saved.key);
  if (!(await applied(res))) {
    await home();
    const e = (res.body && res.body.error) || {};
    notice(e.code ? I18N.word(e.code) : T('apply.refused'));
  }
  return true;
}

async function apiWithKey(fd, key) {
  try {
    const r = await fetch('/api/v1/applications', {
      method: 'POST', body: fd, credentials: 'same-origin',
      headers: { 'X-Requested-With': 'hqr', 'Idempotency-Key': key, Accept: 'application/json' },
    });
    return { status: r.status, body: await r.json().catch(() => null) };
  } catch (err) {
    return { status: 0, body: { error: { code: 'NETWORK' } } };
  }
}

async function logout() {
  await api('POST', '/api/v1/logout');
  notice(T('persons.logged_out'));
  show('login');
}

document.addEventListener('DOMContentLoaded', () => {
  for (const fs of document.querySelectorAll('.symptoms')) fillSymptoms(fs, 'symptom');
  for (const f of document.querySelectorAll('form')) tieErrors(f);
  $('apply-self').addEventListener('click', () => openApply(true));
  $('apply-relative').addEventListener('click', () => openApply(false));
  $('apply-back').addEventListener('click', home);
  $('code-back').addEventListener('click', home);
  $('travel-add').addEventListener('click', travelRow);
  $('apply-form').addEventListener('submit', sendApply);
  $('report').addEventListener('submit', sendReport);
  $('logout').addEventListener('click', logout);
  start();
});

// A language switch redraws what the script wrote (the static words are redrawn by i18n.js).
document.addEventListener('hqr:lang', () => {
  if (!$('persons').hidden && persons.length) drawPersons();
  if (shown) {
    drawCode();
    tick();
  }
  redrawErrors();
});
