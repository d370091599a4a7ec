import { h } from '../dom.js';
import { cnDay as day } from '../dom.js';

/** The period and department filter shared by the dashboard and the unanswered questions. */
export function periodFilter(departments: string[], onChange: () => void) {
  const range = h(
    'select',
    { 'aria-label': '时间段' },
    h('option', { value: '7' }, '最近 7 天'),
    h('option', { value: '30', selected: true }, '最近 30 天'),
    h('option', { value: '90' }, '最近 90 天'),
    h('option', { value: '365' }, '最近一年'),
    h('option', { value: 'custom' }, '自定义…'),
  );
  const from = h('input', { type: 'date', 'aria-label': '开始日期', hidden: true });
  const to = h('input', { type: 'date', 'aria-label': '结束日期', hidden: true });
  const dept = h('select', { 'aria-label': '部门' }, h('option', { value: '' }, '全部部门'), ...departments.map((d) => h('option', { value: d }, d)));
  range.addEventListener('change', () => {
    const custom = range.value === 'custom';
    from.hidden = to.hidden = !custom;
    if (custom && !from.value) {
      to.value = day(Date.now());
      from.value = day(Date.now() - 29 * 86400_000);
    }
    onChange();
  });
  for (const x of [from, to, dept]) x.addEventListener('change', onChange);
  return {
    el: h('div', { class: 'tools filters' }, range, from, to, dept),
    /** Query values for the API: plain dates count whole local days. */
    value(): { from: string; to: string; department?: string } {
      const custom = range.value === 'custom' && from.value && to.value;
      const days = Number(range.value) || 30;
      return {
        from: custom ? from.value : day(Date.now() - (days - 1) * 86400_000),
        to: custom ? to.value : day(Date.now()),
        department: dept.value || undefined,
      };
    },
  };
}
