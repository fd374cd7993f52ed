// app.js: the thin client inside the chat app: log in, apply (for oneself or a relative), show a
// code (refreshed as the service says), file the daily report while red, log out. Talks only to
// this origin's /api/v1; state-changing calls carry X-Requested-With: hqr (the CSRF rule).
'use strict';

const SYMPTOMS = [
  ['none', 'None'], ['fever', 'Fever'], ['cough', 'Cough'], ['sore_throat', 'Sore throat'],
  ['fatigue', 'Fatigue'], ['shortness_of_breath', 'Shortness of breath'], ['diarrhea', 'Diarrhea'],
  ['loss_of_taste_or_smell', 'Loss of taste or smell'],
];
const RELATIONSHIPS = {
  self: 'Myself', parent: 'Parent', grandparent: 'Grandparent', child: 'Child', grandchild: 'Grandchild',
  spouse: 'Spouse', sibling: 'Sibling', other: 'Relative',
};
const LOGIN_ERRORS = {
  STATE_INVALID: 'The login link has expired. Please log in again.',
  CODE_INVALID: 'The login was not accepted. Please log in again.',
  CODE_USED: 'This login was already used. Please log in again.',
  SNAPSHOT_USER: 'Please open the page from the public account and allow the login.',
  PLATFORM_UNAVAILABLE: 'The chat platform did not answer. Please try again in a moment.',
  LOGIN_PENDING: 'Your login is still on its way. Please try again in a moment.',
  LOGIN_OTHER_BROWSER: 'This login was started in another browser. Please log in again here.',
};
// How a real-name face check ended (verify_error of the return address).
const VERIFY_ERRORS = {
  CANCELLED: 'The face check was cancelled. Submit again to retry.',
  TIMED_OUT: 'The face check timed out. Submit again to retry.',
  FACE_MISMATCH: 'The face did not match the ID card\'s record.',
  ID_NOT_THIS_PERSON: 'The name and ID number are not those of the person at this phone.',
  NO_FACE: 'No face was seen. Submit again to retry.',
  EXPIRED: 'The face check took too long. Submit again to retry.',
  PLATFORM_UNAVAILABLE: 'The chat platform did not answer. Please try again in a moment.',
};
// Field error words, as the resident reads them; a word not listed here is shown as it is.
const FIELD_ERRORS = {
  REQUIRED: 'Required.', NOT_ALLOWED: 'Not one of the choices.',
  ID_LENGTH: 'The document number has the wrong length.', ID_CHARS: 'The document number holds a wrong character.',
  ID_REGION: 'The ID number does not start with a province code.',
  ID_BIRTH_DATE: 'The birth date in the ID number is not a real past date.',
  ID_CHECKSUM: 'The check character of the number does not match.',
  ID_FORMAT: 'The number does not have the document\'s format.',
  NAME_EMPTY: 'Required.', NAME_LENGTH: 'At most 30 characters.', NAME_CHARS: 'A character a name on an ID does not hold.',
  PHONE_FORMAT: 'Not a mainland mobile number.', ADDRESS_LENGTH: '4 to 120 characters.',
  ADDRESS_CHARS: 'The address holds invisible characters.', PHOTO_TYPE: 'The photo must be a JPEG or PNG image.',
  PHOTO_SIZE: 'The photo is empty or too large.', PHOTO_DIMENSIONS: 'The photo is too small or too large.',
  PHOTO_CORRUPT: 'The photo cannot be read.', TEMPERATURE_RANGE: 'Not a body temperature.',
  TEMPERATURE_FORMAT: 'A temperature like 36.5.', TRAVEL_FORMAT: 'Each stay needs a city and two dates.',
  TRAVEL_DATES: 'The dates must be within the last 14 days, the first not after the second.',
  SYMPTOMS_NONE_MIXED: '"None" cannot go with a symptom.', DECLARATION_REQUIRED: 'Please confirm the declaration.',
  PERSON_MISMATCH: 'This ID number is registered under another name.',
  NOT_PASSED: 'The face check of this identity did not pass.', OTHER_IDENTITY: 'The face check was for another identity.',
  USED: 'The face check was used already.', NOT_VERIFIABLE: 'Only a resident ID card can be checked.',
};
const SAVED = 'hqr-apply'; // the application waiting for its face check (sessionStorage)

const $ = (id) => document.getElementById(id);
let refreshTimer = null;

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
  try {
    r = await fetch(path, init);
  } catch (e) {
    return { status: 0, body: { error: { code: 'NETWORK', message: 'The service cannot be reached.' } } };
  }
  let json = null;
  if ((r.headers.get('Content-Type') || '').startsWith('application/json')) json = await r.json().catch(() => null);
  return { status: r.status, body: json };
}

function notice(text) {
  const n = $('notice');
  n.textContent = text || '';
  n.hidden = !text;
}

function show(id) {
  for (const s of ['login', 'persons', 'code', 'apply']) $(s).hidden = s !== id;
  if (id !== 'code' && refreshTimer) {
    clearTimeout(refreshTimer);
    refreshTimer = null;
  }
}

function colorWord(c) {
  return c === 'green' ? 'Green' : c === 'red' ? 'Red' : 'No code';
}

function fillSymptoms(fieldset, name) {
  for (const [value, label] of SYMPTOMS) {
    const l = document.createElement('label');
    l.className = 'check';
    const i = document.createElement('input');
    i.type = 'checkbox';
    i.name = name;
    i.value = value;
    l.append(i, ' ' + label);
    fieldset.append(l);
  }
}

function checkedSymptoms(form) {
  const v = [...form.querySelectorAll('.symptoms input:checked')].map((i) => i.value);
  return v.length ? v : ['none'];
}

function clearErrors(form) {
  for (const p of form.querySelectorAll('.field-error')) p.textContent = '';
}

// Shows a 422's field errors beside their fields; anything else in the form's line.
function showErrors(form, res) {
  const err = (res.body && res.body.error) || { code: 'HTTP_' + res.status, message: 'Something went wrong.' };
  const fields = err.fields || [];
  let shown = 0;
  for (const f of fields) {
    const key = String(f.field).replace(/\[.*$/, '');
    const p = form.querySelector(`.field-error[data-for="${key}"]`);
    if (p) {
      p.textContent = FIELD_ERRORS[f.code] || f.code;
      shown++;
    }
  }
  if (!shown) {
    const p = form.querySelector('.field-error[data-for="form"], .field-error[data-for="report"]');
    if (p) p.textContent = err.message + ' (' + err.code + ')';
  }
}

async function start() {
  const q = new URLSearchParams(location.search);
  const le = q.get('login_error');
  if (le) {
    notice(LOGIN_ERRORS[le] || 'The login did not succeed (' + le + '). Please try again.');
    history.replaceState(null, '', '/');
  }
  const vid = q.get('verification');
  if (vid || q.get('verify_error')) {
    history.replaceState(null, '', '/');
    if (await resumeApply(vid, q.get('verify_error'))) return;
  }
  await home();
}

// The account's persons (null when not logged in).
async function home() {
  const res = await api('GET', '/api/v1/me');
  if (res.status === 401) {
    show('login');
    return null;
  }
  if (res.status !== 200) {
    notice('The service is busy. Please try again in a moment.');
    show('login');
    return null;
  }
  const list = $('person-list');
  list.textContent = '';
  for (const p of res.body.persons) {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'person ' + p.color;
    b.dataset.person = p.id;
    b.textContent = `${p.name_masked} · ${RELATIONSHIPS[p.relationship] || p.relationship} · ${colorWord(p.color)}`;
    b.addEventListener('click', () => openCode(p));
    li.append(b);
    list.append(li);
  }
  $('no-persons').hidden = res.body.persons.length > 0;
  $('apply-self').hidden = res.body.persons.some((p) => p.relationship === 'self');
  showDelegates(res.body.persons.find((p) => p.owner));
  show('persons');
  return res.body.persons;
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
      b.textContent = label;
      b.addEventListener('click', fn);
      li.append(b, ' ');
    }
    return li;
  };
  const who = (x) => `${x.name_masked || 'Unverified'} · ${RELATIONSHIPS[x.relationship] || x.relationship}`;
  const holders = $('holder-list');
  holders.textContent = '';
  for (const x of p.holders || []) {
    holders.append(item(who(x), [['Remove', () => decide('DELETE',
      `/api/v1/persons/${encodeURIComponent(p.id)}/holders/${x.holder_id}`, 'Removed.')]]));
  }
  $('no-holders').hidden = (p.holders || []).length > 0;
  const pending = $('pending-list');
  pending.textContent = '';
  for (const d of p.pending_delegations || []) {
    pending.append(item(who(d), [
      ['Approve', () => decide('POST', `/api/v1/delegations/${d.id}/approve`, 'Approved.')],
      ['Refuse', () => decide('POST', `/api/v1/delegations/${d.id}/refuse`, 'Refused.')],
    ]));
  }
  $('pending-title').hidden = (p.pending_delegations || []).length === 0;
}

async function decide(method, path, done) {
  const res = await api(method, path);
  notice(res.status < 300 ? done : ((res.body && res.body.error && res.body.error.message) || 'Not done.'));
  await home();
}

async function openCode(p) {
  notice('');
  $('code-name').textContent = p.name_masked;
  $('code-paper').hidden = p.relationship === 'self';
  $('code-paper').href = `/api/v1/persons/${encodeURIComponent(p.id)}/paper-code.png`;
  show('code');
  $('code').dataset.person = p.id;
  await refreshCode(p.id);
}

// Reads the status and reloads the image; again after refresh_after_s while the page shows it.
async function refreshCode(id) {
  if ($('code').hidden || $('code').dataset.person !== id) return;
  const res = await api('GET', `/api/v1/persons/${encodeURIComponent(id)}/code`);
  if (res.status !== 200) {
    notice(res.status === 401 ? 'Your login has ended. Please log in again.' : 'The code cannot be shown now.');
    if (res.status === 401) show('login');
    return;
  }
  const c = res.body;
  const color = $('code-color');
  color.textContent = colorWord(c.color);
  color.className = 'color ' + c.color;
  $('code-img').src = `/api/v1/persons/${encodeURIComponent(id)}/code.png?t=${Date.now()}`;
  $('code-detail').textContent = c.color === 'red'
    ? `Under observation${c.observation_until ? ' until ' + c.observation_until : ''}.`
    : 'Show this code at the entrance.';
  const rep = c.report || {};
  const form = $('report');
  if (rep.required) {
    $('code-report-status').textContent = rep.today_done
      ? 'Today\'s report is filed.'
      : 'Please file today\'s health report.' + (rep.missed_days ? ` Missed days: ${rep.missed_days}.` : '');
    if (rep.can_turn_green_on) $('code-report-status').textContent += ` Earliest green: ${rep.can_turn_green_on}.`;
    form.hidden = !!rep.today_done;
  } else {
    $('code-report-status').textContent = '';
    form.hidden = true;
  }
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
    notice('Report filed.');
    await refreshCode(id);
  } else {
    showErrors(form, res);
  }
}

function travelRow() {
  const row = document.createElement('div');
  row.className = 'travel-row';
  for (const [name, label, type] of [['city', 'City', 'text'], ['from', 'From', 'date'], ['to', 'To', 'date']]) {
    const l = document.createElement('label');
    const i = document.createElement('input');
    i.name = 'travel-' + name;
    i.type = type;
    l.append(label + ' ', i);
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
  $('relationship-label').hidden = forSelf;
  $('apply-title').textContent = forSelf ? 'Apply for myself' : 'Apply for a relative';
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
  }
}

// A made (201) or pending (202) application: the list, and the new code. false otherwise.
async function applied(res) {
  if (res.status === 202) {
    await home();
    notice('The person\'s owner is asked to approve. Until then you hold nothing.');
    return true;
  }
  if (res.status !== 201 && res.status !== 200) return false;
  const persons = (await home()) || [];
  const p = persons.find((x) => x.id === res.body.person.id);
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
    showErrors(form, { status: 0, body: { error: { code: 'STORAGE', message: 'The photo is too large to keep.' } } });
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

// Back from the face page: the service asked the platform how it went; a passed check sends the
// waiting application with its verification. true when it answered the page.
async function resumeApply(vid, error) {
  const saved = JSON.parse(sessionStorage.getItem(SAVED) || 'null');
  sessionStorage.removeItem(SAVED);
  if (!saved || saved.vid !== vid) return false;
  if (error) {
    await home();
    notice(VERIFY_ERRORS[error] || 'The face check did not pass (' + error + ').');
    return true;
  }
  const v = await api('GET', `/api/v1/verifications/${encodeURIComponent(vid)}`);
  if (v.status !== 200 || v.body.status !== 'passed') {
    await home();
    notice(VERIFY_ERRORS[(v.body && v.body.result) || ''] || 'The face check did not pass.');
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
    notice((e.message || 'The application was not accepted.') + (e.code ? ' (' + e.code + ')' : ''));
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
    return { status: 0, body: { error: { code: 'NETWORK', message: 'The service cannot be reached.' } } };
  }
}

async function logout() {
  await api('POST', '/api/v1/logout');
  notice('You have logged out.');
  show('login');
}

document.addEventListener('DOMContentLoaded', () => {
  for (const fs of document.querySelectorAll('.symptoms')) fillSymptoms(fs, 'symptom');
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
