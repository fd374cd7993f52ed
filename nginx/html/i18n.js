// i18n.js: the pages' words in Chinese (zh-CN, the default) and English, for every page of this
// client. A page loads it before its own script, adds its own words with I18N.add({key: [zh, en]}),
// marks its static text with data-i18n="key" (data-i18n-aria, -alt, -placeholder for attributes),
// and puts a <button data-lang-switch> on the page. The language is the one picked on the switch
// (remembered in this browser), else English when the browser prefers English to Chinese, else
// Chinese. Times and dates are shown in the city's zone (I18N.zone), whatever the device's zone.
// Every code word the service answers (its error table, field codes, verdicts and reasons) has
// words here: I18N.word(code).
(function (g) {
  'use strict';
  const KEY = 'hqr.lang';
  const LANGS = ['zh-CN', 'en'];
  const dict = new Map();
  const serviceWords = new Set();

  // Adds words: { key: ['中文', 'English'] }.
  function add(words) {
    for (const [k, v] of Object.entries(words)) dict.set(k, v);
  }
  // Adds the service's code words: { WORD: ['中文', 'English'] }, read with word(WORD).
  function addWords(words) {
    for (const [k, v] of Object.entries(words)) {
      dict.set('w.' + k, v);
      serviceWords.add(k);
    }
  }

  function stored() {
    try {
      return g.localStorage.getItem(KEY);
    } catch (e) {
      return null;
    }
  }
  // English only when the browser puts an English language before any Chinese one.
  function preferred() {
    const s = stored();
    if (LANGS.includes(s)) return s;
    const list = (g.navigator && (g.navigator.languages || [g.navigator.language])) || [];
    for (const l of list) {
      const p = String(l).toLowerCase();
      if (p.startsWith('zh')) return 'zh-CN';
      if (p.startsWith('en')) return 'en';
    }
    return 'zh-CN';
  }

  let lang = preferred();

  function t(key, vars) {
    const v = dict.get(key);
    let s = v ? v[lang === 'en' ? 1 : 0] : key;
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, n) => (n in vars ? String(vars[n]) : m));
    return s;
  }
  function has(key) {
    const v = dict.get(key);
    return !!(v && v[0] && v[1]);
  }
  // The words of a service code word; the word itself when this client does not know it.
  function word(code) {
    return has('w.' + code) ? t('w.' + code) : String(code);
  }

  // Puts the words of the current language on every marked element under root.
  function apply(root) {
    const r = root || g.document;
    g.document.documentElement.lang = lang;
    for (const el of r.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const [attr, name] of [['i18nAria', 'aria-label'], ['i18nAlt', 'alt'], ['i18nPlaceholder', 'placeholder']]) {
      const sel = '[data-' + attr.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()) + ']';
      for (const el of r.querySelectorAll(sel)) el.setAttribute(name, t(el.dataset[attr]));
    }
    for (const b of r.querySelectorAll('[data-lang-switch]')) {
      const other = lang === 'en' ? 'zh-CN' : 'en';
      b.textContent = other === 'en' ? 'English' : '中文';
      b.setAttribute('lang', other);
      b.setAttribute('aria-label', other === 'en' ? 'Switch to English' : '切换到中文');
    }
  }

  function setLang(l) {
    lang = LANGS.includes(l) ? l : 'zh-CN';
    try {
      g.localStorage.setItem(KEY, lang);
    } catch (e) { /* a browser without storage keeps the choice for this page only */ }
    apply();
    g.document.dispatchEvent(new CustomEvent('hqr:lang', { detail: lang }));
  }

  // The city's zone: dates and times are shown as the city reads them.
  const api = { zone: 'Asia/Shanghai' };
  const fmts = new Map();
  function parts(ms) {
    let k = api.zone;
    if (!fmts.has(k)) {
      const opts = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
        second: '2-digit', weekday: 'short', hourCycle: 'h23' };
      try {
        fmts.set(k, new Intl.DateTimeFormat('en-GB', { timeZone: k, ...opts }));
      } catch (e) { // a zone this browser does not know: the city's default
        k = api.zone = 'Asia/Shanghai';
        if (!fmts.has(k)) fmts.set(k, new Intl.DateTimeFormat('en-GB', { timeZone: k, ...opts }));
      }
    }
    const o = {};
    for (const p of fmts.get(k).formatToParts(new Date(ms))) o[p.type] = p.value;
    return o;
  }
  const WEEKDAYS = { Mon: '一', Tue: '二', Wed: '三', Thu: '四', Fri: '五', Sat: '六', Sun: '日' };
  // "2026-12-07" in the city's zone.
  function date(ms) {
    const p = parts(ms);
    return `${p.year}-${p.month}-${p.day}`;
  }
  // "10:04:05" in the city's zone.
  function time(ms) {
    const p = parts(ms);
    return `${p.hour}:${p.minute}:${p.second}`;
  }
  // "2026-12-07 星期一" / "Mon 2026-12-07" in the city's zone.
  function day(ms) {
    const p = parts(ms);
    return lang === 'en' ? `${p.weekday} ${date(ms)}` : `${date(ms)} 星期${WEEKDAYS[p.weekday] || ''}`;
  }

  Object.assign(api, {
    add, addWords, t, has, word, apply, setLang, date, time, day,
    lang: () => lang,
    // The service words this client knows, and a key's two words (for the tests).
    words: () => [...serviceWords],
    entry: (key) => dict.get(key),
  });
  g.I18N = api;

  add({
    'app.title': ['健康码', 'Health Code'],
    'lang.switch': ['切换语言', 'Switch language'],
    'color.green': ['绿码', 'Green code'],
    'color.red': ['红码', 'Red code'],
    'color.none': ['无码', 'No code'],
    'color.green.sr': ['健康码状态：绿码，可通行。', 'Health code status: green, free to travel.'],
    'color.red.sr': ['健康码状态：红码，限制通行。', 'Health code status: red, travel is restricted.'],
    'color.none.sr': ['没有健康码。', 'No health code.'],
    'net.unreachable': ['无法连接服务，请稍后再试。', 'The service cannot be reached. Please try again.'],
    'net.busy': ['服务繁忙，请稍后再试。', 'The service is busy. Please try again in a moment.'],
  });

  // Every code word of the service: its error table (fcgi err.c, and nginx's own error bodies),
  // the field codes of its forms, the login errors, the scan verdicts' reasons and checks, and the
  // reasons a code changed color.
  addWords({
    // The error table.
    BAD_REQUEST: ['请求格式有误。', 'The request is malformed.'],
    UNAUTHENTICATED: ['请先登录。', 'Please log in first.'],
    FORBIDDEN: ['无权进行此操作。', 'Not allowed.'],
    NOT_FOUND: ['找不到该内容。', 'Not found.'],
    METHOD_NOT_ALLOWED: ['不支持此操作。', 'This action is not supported here.'],
    CONFLICT: ['与当前状态冲突。', 'This conflicts with the current state.'],
    LENGTH_REQUIRED: ['请求缺少长度信息。', 'The request needs a length.'],
    TOO_LARGE: ['提交的内容太大。', 'What was sent is too large.'],
    UNSUPPORTED_MEDIA_TYPE: ['不支持此内容格式。', 'This content type is not accepted.'],
    VALIDATION_FAILED: ['有内容填写不正确，请检查标出的项目。', 'Some fields are not right: see the marked ones.'],
    RATE_LIMITED: ['请求太频繁，请稍后再试。', 'Too many requests. Please try again shortly.'],
    INTERNAL: ['系统出错，请稍后再试。', 'Something went wrong on our side. Please try again.'],
    UNAVAILABLE: ['服务暂时不可用，请稍后再试。', 'The service is unavailable for now. Please try again.'],
    BAD_JSON: ['请求内容格式有误。', 'The request body is malformed.'],
    DUPLICATE_FIELD: ['同一项目填写了两次。', 'A field was given twice.'],
    CSRF: ['请求来源不被接受，请刷新页面。', 'The request was not accepted: please reload the page.'],
    PLATFORM_UNAVAILABLE: ['聊天平台暂时无响应，请稍后再试。', 'The chat platform did not answer. Please try again in a moment.'],
    LOGIN_CODE_INVALID: ['登录未被接受，请重新登录。', 'The login was not accepted. Please log in again.'],
    LOGIN_CODE_USED: ['此次登录已使用过，请重新登录。', 'This login was already used. Please log in again.'],
    LOGIN_RATE_LIMITED: ['登录太频繁，请一分钟后再试。', 'Too many logins: try again in a minute.'],
    LOGIN_BLOCKED: ['平台拒绝了此账号的登录。', 'The platform refused this account\'s login.'],
    PLATFORM_ERROR: ['聊天平台拒绝了请求，请稍后再试。', 'The chat platform refused the request. Please try again.'],
    SIGNATURE_INVALID: ['签名无效。', 'The signature does not verify.'],
    SELF_EXISTS: ['您已申领本人的健康码。', 'You already have your own code.'],
    ID_HAS_SELF_ACCOUNT: ['该证件已由本人申领，请以亲友身份申领。', 'This ID already has its own account: apply for it as a relative.'],
    ALREADY_HOLDER: ['您已在代管此人的健康码。', 'You already hold this person\'s code.'],
    DELEGATION_LIMIT: ['代管人数已达上限。', 'You hold as many relatives\' codes as allowed.'],
    MALFORMED_FORM: ['表单无法读取，请重新提交。', 'The form cannot be read. Please send it again.'],
    SIGNATURE_EXPIRED: ['请求时间与服务器相差太大。', 'The request\'s time is too far from the server\'s clock.'],
    NONCE_REUSED: ['重复的请求。', 'This request was sent before.'],
    CHECKPOINT_NOT_ALLOWED: ['无权为此卡口扫码。', 'Not allowed to scan for this checkpoint.'],
    REPORT_EXISTS: ['今天的健康打卡已提交。', 'Today\'s report was filed already.'],
    REPORT_NOT_REQUIRED: ['无需健康打卡：当前不在观察期。', 'No daily report is needed: the code is not under observation.'],
    PERSON_MISMATCH: ['该证件号已登记在另一个姓名下。', 'This ID number is registered under another name.'],
    VERIFICATION_REQUIRED: ['请先通过人脸核验。', 'A face check of this identity is needed first.'],
    DELEGATE_NOT_VERIFIED: ['请先为本人申领并通过实名核验，再为亲友申领。', 'Verify yourself (apply for your own code) before applying for a relative.'],
    APPLICATION_REFUSED: ['申领未被接受。', 'The application was not accepted.'],
    TOO_MANY_ATTEMPTS: ['今日尝试次数过多，请明天再试。', 'Too many attempts today. Please try again tomorrow.'],
    URI_TOO_LONG: ['请求地址太长。', 'The address of the request is too long.'],
    HEADERS_TOO_LARGE: ['请求头太大。', 'The request headers are too large.'],
    PHOTO_STORE_FULL: ['照片存储已满，本次申领未保存，请稍后再试。', 'The photo store is full: nothing was saved. Please try again later.'],
    BUSY: ['系统繁忙，请稍后再试。', 'The service is busy. Please try again in a moment.'],
    PLACE_CODE_REVOKED: ['此场所码已停用。', 'This place code has been withdrawn.'],
    PLACE_CODE_EXPIRED: ['二维码已过期，请重新扫描门口屏幕上的码。', 'This code has expired: scan the screen at the door again.'],
    PERSON_NOT_HELD: ['您不能为此人签到。', 'This account cannot check that person in.'],
    // Field codes.
    REQUIRED: ['必填。', 'Required.'],
    EMPTY: ['不能为空。', 'Must not be empty.'],
    TOO_LONG: ['太长。', 'Too long.'],
    TOO_MANY: ['数量太多。', 'Too many.'],
    INVALID: ['无效。', 'Not valid.'],
    INVALID_CHARACTERS: ['含有不允许的字符。', 'Holds characters that are not allowed.'],
    NOT_ALLOWED: ['不是可选项之一。', 'Not one of the choices.'],
    NOT_A_STRING: ['应为文字。', 'Must be text.'],
    NOT_AN_INTEGER: ['应为整数。', 'Must be a whole number.'],
    NOT_A_BOOLEAN: ['应为是或否。', 'Must be yes or no.'],
    NOT_A_LIST: ['应为列表。', 'Must be a list.'],
    NOT_A_TIME: ['不是有效的时间。', 'Not a valid time.'],
    NOT_A_LOCAL_PATH: ['不是本站的地址。', 'Not an address on this site.'],
    NOT_A_PERSON_ID: ['不是有效的人员编号。', 'Not a valid person id.'],
    NOT_A_COMMUNITY: ['该卡口不是居住小区。', 'This checkpoint is not a residential community.'],
    NOT_OF_KIND: ['类型与卡口种类不符。', 'The type does not belong to that kind of checkpoint.'],
    NOT_AFTER_FROM: ['结束时间须晚于开始时间。', 'The end must be after the start.'],
    OUT_OF_RANGE: ['超出允许范围。', 'Out of the allowed range.'],
    RANGE_TOO_LONG: ['时间范围太长。', 'The time range is too long.'],
    EXCLUSIVE_WITH_ID_NUMBER: ['不能与证件号同时使用。', 'Cannot be given together with an ID number.'],
    CLIENT_ID_INVALID: ['客户端编号无效。', 'The client id is not valid.'],
    SCANNED_AT_OUT_OF_RANGE: ['扫码时间超出允许范围。', 'The scan time is out of the allowed range.'],
    UNKNOWN: ['未知错误。', 'Unknown error.'],
    ID_TYPE: ['不是可选的证件类型。', 'Not one of the document types.'],
    ID_LENGTH: ['证件号码长度不对。', 'The document number has the wrong length.'],
    ID_CHARS: ['证件号码含有错误字符。', 'The document number holds a wrong character.'],
    ID_REGION: ['身份证号码开头不是有效的地区代码。', 'The ID number does not start with a province code.'],
    ID_BIRTH_DATE: ['身份证号码中的出生日期无效。', 'The birth date in the ID number is not a real past date.'],
    ID_CHECKSUM: ['证件号码校验位不正确。', 'The check character of the number does not match.'],
    ID_FORMAT: ['号码不符合该证件的格式。', 'The number does not have the document\'s format.'],
    NAME_EMPTY: ['必填。', 'Required.'],
    NAME_LENGTH: ['最多 30 个字。', 'At most 30 characters.'],
    NAME_CHARS: ['含有证件姓名中不会出现的字符。', 'A character a name on an ID does not hold.'],
    NAME_MISMATCH: ['姓名与证件登记的姓名不符。', 'The name does not match the one registered for this ID.'],
    PHONE_FORMAT: ['不是有效的大陆手机号码。', 'Not a mainland mobile number.'],
    ADDRESS_LENGTH: ['地址须为 4 到 120 个字。', '4 to 120 characters.'],
    ADDRESS_CHARS: ['地址含有不可见字符。', 'The address holds invisible characters.'],
    PHOTO_TYPE: ['照片须为 JPEG 或 PNG 图片。', 'The photo must be a JPEG or PNG image.'],
    PHOTO_SIZE: ['照片为空或太大。', 'The photo is empty or too large.'],
    PHOTO_DIMENSIONS: ['照片尺寸太小或太大。', 'The photo is too small or too large.'],
    PHOTO_CORRUPT: ['照片无法读取。', 'The photo cannot be read.'],
    TEMPERATURE_RANGE: ['不是人体体温。', 'Not a body temperature.'],
    TEMPERATURE_FORMAT: ['请按 36.5 这样的格式填写体温。', 'A temperature like 36.5.'],
    TEMPERATURE_REQUIRED: ['进入须测量体温。', 'Entering needs a temperature.'],
    TRAVEL_FORMAT: ['每段行程须填写城市和两个日期。', 'Each stay needs a city and two dates.'],
    TRAVEL_DATES: ['日期须在最近 14 天内，且开始不晚于结束。', 'The dates must be within the last 14 days, the first not after the second.'],
    TRAVEL_TOO_MANY: ['行程太多。', 'Too many stays.'],
    SYMPTOMS_EMPTY: ['请选择症状，或选择"无"。', 'Pick the symptoms, or "None".'],
    SYMPTOMS_NONE_MIXED: ['"无"不能与症状同时选择。', '"None" cannot go with a symptom.'],
    SYMPTOMS_UNKNOWN: ['不是可选的症状。', 'Not one of the symptoms.'],
    DECLARATION_REQUIRED: ['请确认申报内容属实。', 'Please confirm the declaration.'],
    DUPLICATE_PERSON: ['同一人选择了两次。', 'The same person was picked twice.'],
    VISITOR_REGISTRATION_INVALID: ['需填写来访事由，以及被访人或被访地址。', 'A purpose and a host or address are needed.'],
    // Login errors (the address the login comes back to says ?login_error=WORD).
    STATE_INVALID: ['登录链接已过期，请重新登录。', 'The login link has expired. Please log in again.'],
    CODE_INVALID: ['登录未被接受，请重新登录。', 'The login was not accepted. Please log in again.'],
    CODE_USED: ['此次登录已使用过，请重新登录。', 'This login was already used. Please log in again.'],
    MISSING_PARAMS: ['登录返回的信息不完整，请重新登录。', 'The login came back incomplete. Please log in again.'],
    SNAPSHOT_USER: ['请从公众号打开本页并允许登录。', 'Please open the page from the public account and allow the login.'],
    LOGIN_PENDING: ['登录仍在处理中，请稍后再试。', 'Your login is still on its way. Please try again in a moment.'],
    LOGIN_OTHER_BROWSER: ['此次登录是在另一个浏览器中发起的，请在此重新登录。', 'This login was started in another browser. Please log in again here.'],
    // A real-name face check: the field codes of a verification and how a check ended.
    NOT_PASSED: ['此身份的人脸核验未通过。', 'The face check of this identity did not pass.'],
    OTHER_IDENTITY: ['人脸核验是为另一身份做的。', 'The face check was for another identity.'],
    USED: ['此次人脸核验已使用过。', 'The face check was used already.'],
    NOT_VERIFIABLE: ['只有居民身份证可以核验。', 'Only a resident ID card can be checked.'],
    UNKNOWN_VERIFICATION: ['找不到此次核验。', 'No such face check.'],
    PASSED: ['人脸核验已通过。', 'The face check passed.'],
    PARAMETER_ERROR: ['核验信息有误，请重试。', 'The face check was given wrong details. Please try again.'],
    NO_FACE: ['未检测到人脸，请重新提交再试。', 'No face was seen. Submit again to retry.'],
    ID_NOT_THIS_PERSON: ['姓名和证件号不是本机使用者的。', 'The name and ID number are not those of the person at this phone.'],
    FACE_MISMATCH: ['人脸与身份证登记照片不符。', "The face did not match the ID card's record."],
    CANCELLED: ['人脸核验已取消，重新提交即可再试。', 'The face check was cancelled. Submit again to retry.'],
    TIMED_OUT: ['人脸核验超时，重新提交即可再试。', 'The face check timed out. Submit again to retry.'],
    EXPIRED: ['人脸核验用时过长，重新提交即可再试。', 'The face check took too long. Submit again to retry.'],
    FAILED: ['人脸核验未通过。', 'The face check did not pass.'],
    // A scan's reasons and checks.
    NO_VALID_CODE: ['无有效健康码：不得进入。', 'No valid code: no entry.'],
    EXPIRED_CODE: ['健康码已过期：请持码人刷新后再扫。', 'The code has expired: ask the holder to refresh it and scan again.'],
    RED_CODE: ['红码：不得进入。', 'Red code: no entry.'],
    FEVER: ['体温达到或超过发热标准。', 'Temperature at or above the fever threshold.'],
    VISITOR_REGISTRATION: ['非本小区居民：请先登记来访信息再扫码。', 'Not a resident: register the visit and scan again.'],
    ID_DOCUMENT: ['纸质码：请核对身份证件。', 'Paper code: check the ID card.'],
    TEMPERATURE: ['请在门口测量体温。', 'Have the temperature taken at the door.'],
    // Why a code has its color.
    NONE: ['无异常申报。', 'Nothing was declared.'],
    SYMPTOMS: ['申报了症状。', 'Symptoms were declared.'],
    CLOSE_CONTACT: ['申报了与确诊或疑似病例密切接触。', 'A close contact with a case was declared.'],
    HIGH_RISK_TRAVEL: ['14 天内到过高风险地区。', 'Travel to a high-risk area in the last 14 days.'],
    OFFICER_CLEARED: ['卫生健康部门已解除观察。', 'Cleared by a health officer.'],
    OBSERVATION_COMPLETED: ['观察期已满。', 'The observation is complete.'],
  });

  if (g.document) {
    g.document.addEventListener('DOMContentLoaded', () => {
      apply();
      for (const b of g.document.querySelectorAll('[data-lang-switch]')) {
        b.addEventListener('click', () => setLang(lang === 'en' ? 'zh-CN' : 'en'));
      }
    });
  }
})(typeof window !== 'undefined' ? window : globalThis);
