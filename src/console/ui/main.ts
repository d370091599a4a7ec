import { api, setUnauthorizedHandler, type Me } from './api.js';
import { unlockSound } from './alert.js';
import type { Ctx, View } from './context.js';
import { conversationView } from './conversation.js';
import { clear, h } from './dom.js';
import { StaffEvents } from './events.js';
import { followupsView } from './followups.js';
import { renderLogin } from './login.js';
import { queueView } from './queue.js';
import { adminViews } from './admin/index.js';

/**
 * The staff console and admin dashboard: one page, routes in the hash (#queue, #c/<id>, #dashboard …),
 * views kept alive while hidden so open conversations keep their drafts and scroll position.
 */
async function start(): Promise<void> {
  const root = document.getElementById('app')!;
  if (document.body.dataset.page === 'login') return renderLogin(root);
  setUnauthorizedHandler(() => location.replace('/console/'));
  let me: Me;
  try {
    me = (await api<{ staff: Me }>('GET', '/api/staff/me')).staff;
  } catch {
    return renderLogin(root);
  }
  const guides = await api<{ departments: string[] }>('GET', '/api/guides?limit=1').catch(() => ({ departments: [] as string[] }));
  const departments = [...new Set([...guides.departments, ...me.departments, '综合'])].sort();
  const events = new StaffEvents();
  const views = new Map<string, View>();
  const nav = h('nav', { class: 'nav', 'aria-label': '功能' });
  const tabs = h('nav', { class: 'tabs', 'aria-label': '打开的会话' });
  const main = h('main', { class: 'main', id: 'main' });
  const queueBadge = h('span', { class: 'badge', hidden: true });
  const navButtons = new Map<string, HTMLElement>();
  const convTabs = new Map<string, HTMLElement>();

  const ctx: Ctx = {
    me,
    events,
    departments,
    mine: me.role === 'admin' ? departments : me.departments,
    openConversation: (id) => ctx.go(`c/${id}`),
    closeConversation: (id) => {
      views.get(`c/${id}`)?.el.remove();
      views.delete(`c/${id}`);
      convTabs.get(id)?.remove();
      convTabs.delete(id);
      if (location.hash === `#c/${id}`) ctx.go('queue');
    },
    go: (route) => {
      if (location.hash !== `#${route}`) location.hash = route;
      else route_();
    },
  };

  const items: [string, string, () => View][] = [
    ['queue', '排队', () => queueView(ctx, (n) => ((queueBadge.hidden = !n), (queueBadge.textContent = String(n))))],
    ['followups', '差评回访', () => followupsView(ctx)],
    ...(me.role === 'admin' ? adminViews(ctx) : []),
  ];
  for (const [route, label] of items) {
    const b = h('a', { href: `#${route}`, class: 'nav-item', 'data-route': route }, label, route === 'queue' ? queueBadge : null);
    navButtons.set(route, b);
    nav.append(b);
  }
  if (me.role === 'admin') nav.append(h('a', { href: '/console/queues', class: 'nav-item', target: '_blank', rel: 'noopener' }, '队列监控'));

  function viewFor(route: string): View | null {
    let v = views.get(route);
    if (v) return v;
    const item = items.find(([r]) => r === route);
    if (item) v = item[2]();
    else if (route.startsWith('c/')) {
      const id = route.slice(2);
      const cv = conversationView(ctx, id);
      const tab = h('a', { href: `#${route}`, class: 'tab', 'data-tab': id }, cv.title);
      convTabs.set(id, tab);
      tabs.append(tab);
      v = cv;
    } else return null;
    views.set(route, v);
    main.append(v.el);
    return v;
  }

  function route_(): void {
    const route = location.hash.replace(/^#/, '') || 'queue';
    const v = viewFor(route) ?? viewFor('queue')!;
    for (const [r, other] of views) other.el.hidden = r !== route;
    for (const [r, b] of navButtons) b.classList.toggle('active', r === route);
    for (const [id, t] of convTabs) {
      t.classList.toggle('active', route === `c/${id}`);
      if (route === `c/${id}`) t.setAttribute('aria-current', 'page');
      else t.removeAttribute('aria-current');
    }
    v.show?.();
  }

  const logout = h('button', { class: 'ghost' }, '退出');
  logout.addEventListener('click', async () => {
    await api('POST', '/api/staff/logout').catch(() => {});
    location.replace('/console/');
  });
  clear(
    root,
    h(
      'header',
      { class: 'top' },
      h('h1', null, '政务服务工作台'),
      nav,
      h('div', { class: 'who' }, h('span', null, `${me.displayName ?? me.username} · ${me.role === 'admin' ? '管理员' : me.departments.join('、')}`), logout),
    ),
    tabs,
    main,
  );
  unlockSound();
  events.start();
  window.addEventListener('hashchange', route_);
  route_();
}

void start();
