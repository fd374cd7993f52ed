// place.js: the page a resident opens by scanning a place code (/p/{token}) with the chat app's
// camera (DESIGN §11): the place, the persons the account holds (its own first and chosen), a
// check-in, then a full-screen verdict per person that the driver or the door's staff read: the
// colour band, the verdict in big words (the page's language, the other below), the place, the
// masked name, the live clock and the moving border of the day. Not logged in: the platform's
// login, and back here. Words: i18n.js (zh-CN first, the English switch) and those below.
'use strict';

I18N.add({
  'place.title': ['场所码签到', 'Place check-in'],
  'place.who': ['谁在这里？', 'Who is here?'],
  'place.direction': ['进入还是离开', 'Entering or leaving'],
  'place.in': ['进入', 'Entering'],
  'place.out': ['离开', 'Leaving'],
  'place.visitor': ['访客登记：此小区请访客登记后进入。', 'Visitor registration: this community asks visitors to register.'],
  'place.purpose': ['来访事由', 'Purpose'],
  'place.host': ['被访人', 'Host visited'],
  'place.address': ['来访地址', 'Address visited'],
  'place.checkin': ['签到', 'Check in'],
  'place.none': ['您还没有健康码，请先申领。', 'You have no health code yet: apply for one first.'],
  'place.apply': ['申领健康码', 'Apply for a health code'],
  'place.logging_in': ['正在登录…', 'Logging in…'],
  'place.choose': ['请选择至少一人。', 'Choose at least one person.'],
  'place.visitor_fields': ['请填写来访事由，以及被访人或来访地址。', 'Give the purpose, and the host or the address visited.'],
  'place.register_first': ['此小区请访客先登记。', 'This community asks visitors to register first.'],
  'place.next': ['下一位', 'Next person'],
  'place.done': ['完成', 'Done'],
  'rel.self': ['本人', 'Myself'], 'rel.parent': ['父母', 'Parent'], 'rel.grandparent': ['祖父母', 'Grandparent'],
  'rel.child': ['子女', 'Child'], 'rel.grandchild': ['孙辈', 'Grandchild'], 'rel.spouse': ['配偶', 'Spouse'],
  'rel.sibling': ['兄弟姐妹', 'Sibling'], 'rel.other': ['亲属', 'Relative'],
  'verdict.allow': ['可以通行', 'Pass'], 'verdict.deny': ['禁止通行', 'No entry'],
  'verdict.register': ['请先登记', 'Register first'],
});

const $ = (id) => document.getElementById(id);
const token = (location.pathname.match(/^\/p\/([A-Za-z0-9_-]{1,64})$/) || [])[1] || '';
let place = null;
let persons = [];        // the account's persons, as the API listed them
let offset = 0;          // server clock minus this phone's
let shown = [];          // the check-ins on screen, in order
let at = 0;
let clockTimer = null;
let formWords = null;    // () => the form's error line's words, again after a language switch

function formError(words) {
  formWords = words;
  $('checkin-form').querySelector('.field-error[data-for=form]').textContent = words ? words() : '';
}

function setOffset(serverTime) {
  const t = Date.parse(serverTime);
  if (!Number.isNaN(t)) offset = t - Date.now();
}

function showPlace(p) {
  place = p;
  $('place-name').textContent = p.name;
  $('place-type').textContent = placeTypeWords(p.type);
  $('place-label').textContent = p.label;
  $('place-label').hidden = !p.label;
  $('place').hidden = false;
  // A taxi or ride-hailing car: passengers check in before it moves; there is no leaving.
  $('direction-set').hidden = p.type === 'taxi' || p.type === 'ride_hailing';
}

function colorWords(color) {
  return I18N.t(I18N.has('color.' + color) ? 'color.' + color : 'color.none');
}

function personRow(p) {
  const label = document.createElement('label');
  label.className = 'person-pick ' + p.color;
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.name = 'person';
  box.value = p.id;
  box.checked = p.self;
  const words = document.createElement('span');
  words.className = 'who';
  label.append(box, words);
  return label;
}

// The persons' words in the page's language (again after a switch, keeping what was ticked).
function personWords() {
  const rows = $('person-list').querySelectorAll('.who');
  persons.forEach((p, i) => {
    const rel = I18N.has('rel.' + p.relationship) ? 'rel.' + p.relationship : 'rel.other';
    if (rows[i]) rows[i].textContent = `${p.name_masked} · ${I18N.t(rel)} · ${colorWords(p.color)}`;
  });
}

async function start() {
  if (!token) {
    placeNotice(() => I18N.t('place.not_found'));
    return;
  }
  const res = await placeApi('GET', `/api/v1/places/${token}`);
  if (res.status !== 200) {
    placeNotice(() => placeErrorWords(res));
    return;
  }
  setOffset(res.body.server_time);
  showPlace(res.body.place);
  if (!res.body.logged_in) {
    // Log in through the platform and come back to this page.
    placeNotice(() => I18N.t('place.logging_in'));
    location.replace('/api/v1/login?next=' + encodeURIComponent(location.pathname));
    return;
  }
  persons = res.body.persons;
  const list = $('person-list');
  list.textContent = '';
  for (const p of persons) list.append(personRow(p));
  personWords();
  if (!persons.length) {
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
  formError(null);
  placeNotice(null);
  const picked = chosen();
  if (!picked.length) {
    formError(() => I18N.t('place.choose'));
    return;
  }
  const body = { persons: picked, direction: form.elements.direction.value };
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
    formError(() => I18N.t('place.visitor_fields'));
    return;
  }
  if (res.status !== 200) {
    formError(() => placeErrorWords(res));
    return;
  }
  setOffset(res.body.server_time);
  const list = res.body.checkins.filter((x) => x.verdict);
  // A community asks its visitors to register: the form, then the same check-in again.
  if (list.some((x) => x.verdict === 'register')) {
    $('visitor').hidden = false;
    formError(() => I18N.t('place.register_first'));
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

// The page's language first and big, the other below: a driver reads it through the window.
function twoLanguages(el, key) {
  const pair = I18N.entry(key) || [key, key];
  const first = I18N.lang() === 'en' ? 1 : 0;
  el.textContent = '';
  const big = document.createElement('span');
  big.className = 'first';
  big.lang = first ? 'en' : 'zh-CN';
  big.textContent = pair[first];
  const small = document.createElement('span');
  small.className = 'second';
  small.lang = first ? 'zh-CN' : 'en';
  small.textContent = pair[1 - first];
  el.append(big, small);
}

// The verdict screen's words (again after a language switch).
function verdictWords() {
  const x = shown[at];
  if (!x) return;
  twoLanguages($('v-words'), I18N.has('verdict.' + x.verdict) ? 'verdict.' + x.verdict : x.verdict);
  twoLanguages($('v-color'), I18N.has('color.' + x.color) ? 'color.' + x.color : 'color.none');
  $('v-reasons').hidden = !x.reasons.length;
  $('v-reasons').textContent = x.reasons.map((r) => I18N.word(r)).join(' ');
  const checks = x.verdict === 'allow' ? x.checks : [];
  $('v-checks').hidden = !checks.length;
  $('v-checks').textContent = checks.map((k) => I18N.word(k)).join(' ');
  $('v-next').textContent = I18N.t(at + 1 < shown.length ? 'place.next' : 'place.done');
}

function showVerdict() {
  const x = shown[at];
  const screen = $('verdict');
  const kind = x.verdict === 'allow' ? 'allow' : 'deny';
  screen.className = `verdict-screen ${kind} ${x.color || 'none'}`;
  screen.style.setProperty('--day-hue', String(placeDayHue(offset)));
  $('v-name').textContent = x.person ? x.person.name_masked : '';
  $('v-place').textContent = place.name + (place.label ? ' · ' + place.label : '');
  $('v-count').textContent = shown.length > 1 ? `${at + 1} / ${shown.length}` : '';
  verdictWords();
  tick();
  clearInterval(clockTimer);
  clockTimer = setInterval(tick, 1000);
  screen.hidden = false;
  $('place-main').hidden = true;
  $('place-top').hidden = true;
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
  $('place-top').hidden = false;
}

document.addEventListener('hqr:lang', () => {
  if (place) $('place-type').textContent = placeTypeWords(place.type);
  personWords();
  formError(formWords);
  if (!$('verdict').hidden) verdictWords();
});

document.addEventListener('DOMContentLoaded', () => {
  $('checkin-form').addEventListener('submit', checkIn);
  $('v-next').addEventListener('click', next);
  start();
});
