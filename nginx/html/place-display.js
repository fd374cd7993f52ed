// place-display.js: the screen at a door (/place-display.html): the QR of the place's URL, whose
// token changes every 30 seconds and is refused two minutes after it was shown, so that a photo
// sent elsewhere goes stale. The screen's token (from the operator) stays in this browser; it may
// also be given once as #token=... in the address, which is then cleared. The people at the door
// read Chinese and English; the screen's own setup follows the page's language.
'use strict';

I18N.add({
  'display.title': ['场所码', 'Place code screen'],
  'display.token': ['屏幕令牌', 'Screen token'],
  'display.use': ['使用此令牌', 'Use this token'],
  'display.bad_token': ['屏幕令牌无效。', 'The screen token was not accepted.'],
  'display.changes': ['此码每30秒更新一次，请现场扫描。', 'This code changes every 30 seconds: scan it here.'],
});

const KEY = 'hqr.display_token';
const $ = (id) => document.getElementById(id);
let offset = 0;
let timer = null;

async function refresh() {
  clearTimeout(timer);
  const t = placeStored('local', KEY);
  $('setup').hidden = t !== '';
  $('screen').hidden = t === '' || $('d-qr').dataset.url === undefined;
  if (!t) return;
  const res = await placeApi('GET', '/api/v1/place-display', undefined, { Authorization: 'Bearer ' + t });
  if (res.status === 401) {
    localStorage.removeItem(KEY);
    placeNotice(() => I18N.t('display.bad_token'));
    $('screen').hidden = true;
    $('setup').hidden = false;
    return;
  }
  if (res.status !== 200) {
    placeNotice(() => placeErrorWords(res));
    if (res.status === 410) {
      $('screen').hidden = true;
      return;
    }
    timer = setTimeout(refresh, 5000);
    return;
  }
  placeNotice(null);
  const d = res.body;
  offset = Date.parse(d.server_time) - Date.now();
  $('d-name').textContent = d.place.name;
  if (I18N.entry('ptype.' + d.place.type)) placeBoth($('d-type'), 'ptype.' + d.place.type);
  else $('d-type').textContent = d.place.type;
  $('d-label').textContent = d.place.label;
  $('d-label').hidden = !d.place.label;
  $('d-qr').src = d.qr_png;
  $('d-qr').dataset.url = d.url;
  $('screen').hidden = false;
  const after = Math.max(1, Math.min(30, Number(d.refresh_after_s) || 30));
  timer = setTimeout(refresh, after * 1000);
}

document.addEventListener('DOMContentLoaded', () => {
  placeBothAll();
  const m = location.hash.match(/^#token=([A-Za-z0-9_-]{43})$/);
  if (m) {
    localStorage.setItem(KEY, m[1]);
    history.replaceState(null, '', location.pathname);
  }
  $('setup').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const t = $('setup').elements.token.value.trim();
    if (!t) return;
    localStorage.setItem(KEY, t);
    $('setup').reset();
    refresh();
  });
  $('forget').addEventListener('click', () => {
    localStorage.removeItem(KEY);
    delete $('d-qr').dataset.url;
    refresh();
  });
  setInterval(() => { $('d-clock').textContent = placeClock(offset); }, 1000);
  refresh();
});
