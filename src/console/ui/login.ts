import { ApiError, api } from './api.js';
import { clear, h, notice } from './dom.js';

/** The login form: a real form (Enter submits, the browser may fill it), then the console loads. */
export function renderLogin(root: HTMLElement): void {
  const user = h('input', { id: 'login-username', name: 'username', autocomplete: 'username', required: true, maxlength: 64 });
  const pass = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const msg = h('div', { class: 'login-msg' });
  const button = h('button', { type: 'submit', class: 'primary big' }, '登录');
  const form = h(
    'form',
    { class: 'login-card', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, '政务服务工作台'),
    h('p', { class: 'muted' }, '工作人员登录：人工坐席与管理后台'),
    h('label', { for: 'login-username' }, '用户名'),
    user,
    h('label', { for: 'login-password' }, '密码'),
    pass,
    msg,
    button,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    button.disabled = true;
    clear(msg);
    try {
      await api('POST', '/api/staff/login', { username: user.value.trim(), password: pass.value });
      location.replace('/console/');
    } catch (err) {
      const m = err instanceof ApiError && err.status === 401 ? '用户名或密码不正确' : (err as Error).message;
      clear(msg, notice('error', m));
      button.disabled = false;
      pass.select();
    }
  });
  clear(root, h('main', { class: 'login-page' }, form));
  user.focus();
}
