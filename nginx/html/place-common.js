// place-common.js: what the place-code pages share (DESIGN §11, §12) beside i18n.js, which they
// load first: the words of the places' types and of the poster's and door screen's lines (the
// pages show one language, zh-CN first, and switch to English; the poster and the door screen
// also carry the instruction in both), the API call, the city's clock and the border's hue of the
// day. Loaded before place.js, place-poster.js and place-display.js.
'use strict';

I18N.add({
  // The checkpoint types, as the service names them.
  'ptype.community': ['住宅小区', 'Residential community'], 'ptype.school': ['学校', 'School'],
  'ptype.hospital': ['医院', 'Hospital'], 'ptype.airport': ['机场', 'Airport'], 'ptype.station': ['车站', 'Station'],
  'ptype.mall': ['商场', 'Shopping mall'], 'ptype.supermarket': ['超市', 'Supermarket'],
  'ptype.market': ['市场', 'Market'], 'ptype.attraction': ['景区', 'Tourist attraction'],
  'ptype.hotel': ['酒店', 'Hotel'], 'ptype.bank': ['银行', 'Bank'], 'ptype.bus': ['公交车', 'Bus'],
  'ptype.subway': ['地铁', 'Subway'], 'ptype.tourist_line': ['旅游专线', 'Tourist line'],
  'ptype.coach': ['长途客车', 'Coach'], 'ptype.taxi': ['出租车', 'Taxi'], 'ptype.ride_hailing': ['网约车', 'Ride-hailing car'],
  // What the pages say of a place code.
  'place.scan': ['扫码登记', 'Scan to check in'],
  'place.not_found': ['此场所码无效。', 'This place code is not valid.'],
  'place.busy': ['出错了，请稍后再试。', 'Something went wrong: please try again.'],
  'place.qr_alt': ['场所码', 'Place code'],
  'place.forget': ['忘记令牌', 'Forget the token'],
});

// The words of a place's type; the type's own word when this page does not know it.
function placeTypeWords(type) {
  return I18N.has('ptype.' + type) ? I18N.t('ptype.' + type) : String(type);
}

// Puts a key's Chinese, then its English (smaller, below) into el: what the poster and the door
// screen print whatever the page's language.
function placeBoth(el, key) {
  const pair = I18N.entry(key) || [key, key];
  el.textContent = '';
  const zh = document.createElement('span');
  zh.className = 'zh';
  zh.lang = 'zh-CN';
  zh.textContent = pair[0];
  const en = document.createElement('span');
  en.className = 'en';
  en.lang = 'en';
  en.textContent = pair[1];
  el.append(zh, en);
}

// Fills every [data-both=key] under root with both languages.
function placeBothAll(root) {
  for (const el of (root || document).querySelectorAll('[data-both]')) placeBoth(el, el.dataset.both);
}

// The page's notice (#notice): words() in the page's language, said again after a language switch;
// null hides it.
let placeNoticeWords = null;
function placeNotice(words) {
  placeNoticeWords = words;
  const n = document.getElementById('notice');
  n.textContent = words ? words() : '';
  n.hidden = !words;
}
document.addEventListener('hqr:lang', () => {
  if (document.getElementById('notice')) placeNotice(placeNoticeWords);
});

// A token the page keeps in this browser ('local' storage, or 'session' for this tab only); '' when
// there is none or the browser refuses storage.
function placeStored(kind, key) {
  try {
    return (kind === 'local' ? localStorage : sessionStorage).getItem(key) || '';
  } catch (e) {
    return '';
  }
}

// The words of a failed answer, in the page's language.
function placeErrorWords(res) {
  const code = res.body && res.body.error && res.body.error.code;
  if (res.status === 0) return I18N.t('net.unreachable');
  if (res.status === 404) return I18N.t('place.not_found');
  return code && I18N.has('w.' + code) ? I18N.word(code) : I18N.t('place.busy');
}

async function placeApi(method, path, body, headers) {
  const h = Object.assign({ Accept: 'application/json' }, headers || {});
  const init = { method, headers: h, credentials: 'same-origin' };
  if (method !== 'GET') h['X-Requested-With'] = 'hqr';
  if (body !== undefined) {
    h['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let r;
  try {
    r = await fetch(path, init);
  } catch (e) {
    return { status: 0, body: null };
  }
  let json = null;
  if ((r.headers.get('Content-Type') || '').startsWith('application/json')) json = await r.json().catch(() => null);
  return { status: r.status, body: json };
}

// "2026-12-07 10:49:03" in the city's zone, from a clock offset against the server.
function placeClock(offsetMs) {
  const ms = Date.now() + offsetMs;
  return `${I18N.date(ms)} ${I18N.time(ms)}`;
}

// The border's colour of the day (DESIGN §12): a hue that moves on every local day, so that a
// screenshot of another day looks wrong at a glance.
function placeDayHue(offsetMs) {
  const n = Math.floor(Date.parse(I18N.date(Date.now() + offsetMs) + 'T00:00:00Z') / 86400000);
  return (n * 137) % 360;
}
