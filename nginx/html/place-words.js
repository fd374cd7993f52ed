// place-words.js: the words the place-code pages share (DESIGN §11, §12): Chinese first, English
// below. Loaded before place.js, place-poster.js and place-display.js.
'use strict';

// [Chinese, English] per checkpoint type, as the service names them.
const PLACE_TYPES = {
  community: ['住宅小区', 'Residential community'], school: ['学校', 'School'], hospital: ['医院', 'Hospital'],
  airport: ['机场', 'Airport'], station: ['车站', 'Station'], mall: ['商场', 'Shopping mall'],
  supermarket: ['超市', 'Supermarket'], market: ['市场', 'Market'], attraction: ['景区', 'Tourist attraction'],
  hotel: ['酒店', 'Hotel'], bank: ['银行', 'Bank'], bus: ['公交车', 'Bus'], subway: ['地铁', 'Subway'],
  tourist_line: ['旅游专线', 'Tourist line'], coach: ['长途客车', 'Coach'], taxi: ['出租车', 'Taxi'],
  ride_hailing: ['网约车', 'Ride-hailing car'],
};
// The service's error words on these pages.
const PLACE_ERRORS = {
  NOT_FOUND: ['此场所码无效。', 'This place code is not valid.'],
  PLACE_CODE_REVOKED: ['此场所码已停用。', 'This place code has been withdrawn.'],
  PLACE_CODE_EXPIRED: ['二维码已过期，请重新扫描门口屏幕上的码。', 'This code has expired: scan the screen at the door again.'],
  RATE_LIMITED: ['操作太频繁，请一分钟后再试。', 'Too many check-ins: please try again in a minute.'],
  PERSON_NOT_HELD: ['您不能为此人签到。', 'This account cannot check that person in.'],
  UNAUTHENTICATED: ['请先登录。', 'Please log in first.'],
  UNAVAILABLE: ['服务繁忙，请稍后再试。', 'The service is busy: please try again in a moment.'],
  NETWORK: ['无法连接服务，请检查网络。', 'The service cannot be reached: check the network.'],
};
const PLACE_BUSY = ['出错了，请稍后再试。', 'Something went wrong: please try again.'];

// Puts Chinese then English (smaller, below) into el.
function bilingual(el, pair) {
  el.textContent = '';
  const zh = document.createElement('span');
  zh.className = 'zh';
  zh.textContent = pair[0];
  const en = document.createElement('span');
  en.className = 'en';
  en.lang = 'en';
  en.textContent = pair[1];
  el.append(zh, en);
}

function placeTypeWords(type) {
  return PLACE_TYPES[type] || [type, type];
}

function placeErrorWords(res) {
  const code = res.body && res.body.error && res.body.error.code;
  if (res.status === 0) return PLACE_ERRORS.NETWORK;
  return PLACE_ERRORS[code] || (res.status === 404 ? PLACE_ERRORS.NOT_FOUND : PLACE_BUSY);
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

// "2026-12-07 10:49:03" in the service's zone, from a clock offset against the server.
function placeClock(offsetMs) {
  const d = new Date(Date.now() + offsetMs);
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit',
    minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(d);
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

// The border's colour of the day (DESIGN §12): a hue that moves on every local day, so that a
// screenshot of another day looks wrong at a glance.
function placeDayHue(offsetMs) {
  const day = placeClock(offsetMs).slice(0, 10);
  const n = Math.floor(Date.parse(day + 'T00:00:00Z') / 86400000);
  return (n * 137) % 360;
}
