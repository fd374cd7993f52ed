// place.js: the page a resident opens by scanning a place code (/p/{token}) with the chat app's
// camera (DESIGN §11): the place, the persons the account holds (its own first and chosen), a
// check-in, then a full-screen verdict per person that the driver or the door's staff read: the
// colour band, the verdict in big words, the place, the masked name, the live clock and the
// moving border of the day. Not logged in: the platform's login, and back here.
'use strict';

const RELATIONSHIPS = {
  self: ['本人', 'Myself'], parent: ['父母', 'Parent'], grandparent: ['祖父母', 'Grandparent'],
  child: ['子女', 'Child'], grandchild: ['孙辈', 'Grandchild'], spouse: ['配偶', 'Spouse'],
  sibling: ['兄弟姐妹', 'Sibling'], other: ['亲属', 'Relative'],
};
const COLORS = { green: ['绿码', 'Green code'], red: ['红码', 'Red code'] };
const VERDICTS = {
  allow: ['可以通行', 'Pass'], deny: ['禁止通行', 'No entry'], register: ['请先登记', 'Register first'],
};
const REASONS = {
  NO_VALID_CODE: ['无有效健康码', 'No valid code'], EXPIRED_CODE: ['健康码已过期', 'The code has expired'],
  RED_CODE: ['红码：禁止通行', 'Red code: no entry'], FEVER: ['体温异常', 'Fever'],
  VISITOR_REGISTRATION: ['访客须登记', 'Visitors must register'],
};
const CHECKS = {
  TEMPERATURE: ['请在门口测量体温', 'Have your temperature taken at the door'],
  ID_DOCUMENT: ['请出示身份证', 'Show the ID card'],
};
const $ = (id) => document.getElementById(id);
const token = (location.pathname.match(/^\/p\/([A-Za-z0-9_-]{1,64})$/) || [])[1] || '';
let place = null;
let offset = 0;          // server clock minus this phone's
let shown = [];          // the check-ins on screen, in order
let at = 0;
let clockTimer = null;

function notice(pair) {
  const n = $('notice');
  if (!pair) {
    n.hidden = true;
    n.textContent = '';
    return;
  }
  bilingual(n, pair);
  n.hidden = false;
}

function setOffset(serverTime) {
  const t = Date.parse(serverTime);
  if (!Number.isNaN(t)) offset = t - Date.now();
}

function showPlace(p) {
  place = p;
  $('place-name').textContent = p.name;
  bilingual($('place-type'), placeTypeWords(p.type));
  $('place-label').textContent = p.label;
  $('place-label').hidden = !p.label;
  $('place').hidden = false;
  // A taxi or ride-hailing car: passengers check in before it moves; there is no leaving.
  $('direction-set').hidden = p.type === 'taxi' || p.type === 'ride_hailing';
}

function personRow(p) {
  const label = document.createElement('label');
  label.className = 'person-pick ' + p.color;
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.name = 'person';
  box.value = p.id;
  box.checked = p.self;
  const rel = RELATIONSHIPS[p.relationship] || RELATIONSHIPS.other;
  const color = COLORS[p.color] || ['无码', 'No code'];
  const words = document.createElement('span');
  words.className = 'who';
  words.append(`${p.name_masked} · ${rel[0]} · ${color[0]}`);
  const en = document.createElement('span');
  en.className = 'en';
  en.lang = 'en';
  en.textContent = `${rel[1]} · ${color[1]}`;
  words.append(en);
  label.append(box, words);
  return label;
}

async function start() {
  if (!token) {
    notice(PLACE_ERRORS.NOT_FOUND);
    return;
  }
  const res = await placeApi('GET', `/api/v1/places/${token}`);
  if (res.status !== 200) {
    notice(placeErrorWords(res));
    return;
  }
  setOffset(res.body.server_time);
  showPlace(res.body.place);
  if (!res.body.logged_in) {
    // Log in through the platform and come back to this page.
    notice(['正在登录…', 'Logging in…']);
    location.replace('/api/v1/login?next=' + encodeURIComponent(location.pathname));
    return;
  }
  const list = $('person-list');
  list.textContent = '';
  for (const p of res.body.persons) list.append(personRow(p));
  if (!res.body.persons.length) {
    $('none').hidden = false;
    return;
  }
  $('pick').hidden = false;
}

function chosen() {
  return [...document.querySelectorAll('#person-list input:checked')].map((i) => i.value);
}

async function checkIn(ev) {
  ev.preventDefault();
  const form = $('checkin-form');
  const err = form.querySelector('.field-error[data-for=form]');
  err.textContent = '';
  notice(null);
  const persons = chosen();
  if (!persons.length) {
    bilingual(err, ['请选择至少一人。', 'Choose at least one person.']);
    return;
  }
  const body = { persons, direction: form.elements.direction.value };
  if ($('direction-set').hidden) body.direction = 'in';
  if (!$('visitor').hidden) {
    const v = { purpose: form.elements.purpose.value.trim() };
    if (form.elements.host.value.trim()) v.host = form.elements.host.value.trim();
    if (form.elements.address.value.trim()) v.address = form.elements.address.value.trim();
    body.visitor = v;
  }
  $('checkin').disabled = true;
  const res = await placeApi('POST', `/api/v1/places/${token}/checkins`, body);
  $('checkin').disabled = false;
  if (res.status === 401) {
    location.replace('/api/v1/login?next=' + encodeURIComponent(location.pathname));
    return;
  }
  if (res.status === 422 && res.body && res.body.error.fields.some((f) => f.field === 'visitor')) {
    bilingual(err, ['请填写来访事由，以及被访人或来访地址。', 'Give the purpose, and the host or the address visited.']);
    return;
  }
  if (res.status !== 200) {
    bilingual(err, placeErrorWords(res));
    return;
  }
  setOffset(res.body.server_time);
  const list = res.body.checkins.filter((x) => x.verdict);
  // A community asks its visitors to register: the form, then the same check-in again.
  if (list.some((x) => x.verdict === 'register')) {
    $('visitor').hidden = false;
    bilingual(err, ['此小区请访客先登记。', 'This community asks visitors to register first.']);
    form.elements.purpose.focus();
    return;
  }
  $('visitor').hidden = true;
  shown = list;
  at = 0;
  showVerdict();
}

function tick() {
  $('v-clock').textContent = placeClock(offset);
}

function showVerdict() {
  const x = shown[at];
  const screen = $('verdict');
  const kind = x.verdict === 'allow' ? 'allow' : 'deny';
  screen.className = `verdict-screen ${kind} ${x.color || 'none'}`;
  screen.style.setProperty('--day-hue', String(placeDayHue(offset)));
  bilingual($('v-words'), VERDICTS[x.verdict] || [x.verdict, x.verdict]);
  bilingual($('v-color'), COLORS[x.color] || ['无码', 'No code']);
  $('v-name').textContent = x.person ? x.person.name_masked : '';
  $('v-place').textContent = place.name + (place.label ? ' · ' + place.label : '');
  const reasons = x.reasons.map((r) => REASONS[r] || [r, r]);
  $('v-reasons').hidden = !reasons.length;
  if (reasons.length) bilingual($('v-reasons'), [reasons.map((r) => r[0]).join('；'), reasons.map((r) => r[1]).join('; ')]);
  const checks = x.verdict === 'allow' ? x.checks.map((k) => CHECKS[k] || [k, k]) : [];
  $('v-checks').hidden = !checks.length;
  if (checks.length) bilingual($('v-checks'), [checks.map((r) => r[0]).join('；'), checks.map((r) => r[1]).join('; ')]);
  $('v-count').textContent = shown.length > 1 ? `${at + 1} / ${shown.length}` : '';
  bilingual($('v-next'), at + 1 < shown.length ? ['下一位', 'Next person'] : ['完成', 'Done']);
  tick();
  clearInterval(clockTimer);
  clockTimer = setInterval(tick, 1000);
  screen.hidden = false;
  $('place-main').hidden = true;
  $('v-next').focus();
}

function next() {
  if (at + 1 < shown.length) {
    at++;
    showVerdict();
    return;
  }
  clearInterval(clockTimer);
  $('verdict').hidden = true;
  $('place-main').hidden = false;
}

document.addEventListener('DOMContentLoaded', () => {
  $('checkin-form').addEventListener('submit', checkIn);
  $('v-next').addEventListener('click', next);
  start();
});
