import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GraphicComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { api, q } from '../api.js';
import type { Ctx, View } from '../context.js';
import { clear, duration, h, notice, percent } from '../dom.js';
import { periodFilter } from './period.js';
import type { Stats } from '../../../analytics/stats.js';

echarts.use([BarChart, LineChart, PieChart, GraphicComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

const LEVELS = ['非常不满意', '不满意', '基本满意', '满意', '非常满意'];
const COLORS = ['#c0392b', '#e67e22', '#f1c40f', '#5dade2', '#1e8449'];
const FONT = { fontSize: 15, fontFamily: 'inherit' };

/** 数据看板: the analytics API in charts (echarts), by period and department. */
export function dashboardView(ctx: Ctx): View {
  const filter = periodFilter(ctx.departments, () => void load());
  const kpis = h('div', { class: 'kpis' });
  const msg = h('div');
  const box = (id: string, title: string, wide = false) => h('figure', { class: `chart${wide ? ' wide' : ''}` }, h('figcaption', null, title), h('div', { class: 'chart-canvas', id }));
  const grid = h(
    'div',
    { class: 'charts' },
    box('chart-daily', '每日会话量与转人工', true),
    box('chart-rates', '每日解答率与转人工率', true),
    box('chart-ratings', '好差评分布'),
    box('chart-times', '等待与处理时长（中位数）'),
    box('chart-services', '热门事项（回答次数）'),
    box('chart-unanswered', '未解答问题（次数）'),
  );
  const exports = h('div', { class: 'tools' });
  const el = h('section', { class: 'view dashboard' }, h('header', { class: 'view-head' }, h('h2', null, '数据看板'), filter.el), msg, kpis, grid, exports);
  const charts = new Map<string, echarts.ECharts>();
  const chart = (id: string) => {
    let c = charts.get(id);
    if (!c) {
      c = echarts.init(el.querySelector<HTMLElement>(`#${id}`)!, null, { renderer: 'canvas' });
      charts.set(id, c);
    }
    return c;
  };
  new ResizeObserver(() => charts.forEach((c) => c.resize())).observe(grid);

  async function load(): Promise<void> {
    let s: Stats;
    try {
      s = await api<Stats>('GET', `/api/admin/stats${q(filter.value())}`);
      clear(msg);
    } catch (e) {
      clear(msg, notice('error', `数据加载失败：${(e as Error).message}`));
      return;
    }
    const kpi = (label: string, value: string, hint?: string) => h('div', { class: 'kpi' }, h('span', { class: 'kpi-label' }, label), h('strong', null, value), hint ? h('span', { class: 'muted' }, hint) : null);
    clear(
      kpis,
      kpi('会话', String(s.conversations)),
      kpi('解答率', percent(s.answerRate), `${s.answered} / ${s.asked} 个提问`),
      kpi('转人工率', percent(s.handoffRate), `${s.handoffs} 次转人工`),
      kpi('等待时长', duration(s.medianWaitSeconds), '中位数'),
      kpi('处理时长', duration(s.medianHandlingSeconds), '中位数'),
      kpi('满意率', percent(s.satisfaction), `${s.ratingCount} 条评价${s.averageLevel ? `，平均 ${s.averageLevel.toFixed(2)} 星` : ''}`),
      kpi('差评回访', `${s.followups.open} 待办`, `${s.followups.overdue} 件超期`),
    );
    const dates = s.byDay.map((d) => d.date.slice(5));
    const axis = { axisLabel: FONT };
    chart('chart-daily').setOption(
      {
        tooltip: { trigger: 'axis' },
        legend: { top: 0, textStyle: FONT },
        grid: { left: 48, right: 24, top: 40, bottom: 32 },
        xAxis: { type: 'category', data: dates, ...axis },
        yAxis: { type: 'value', minInterval: 1, ...axis },
        series: [
          { name: '会话', type: 'bar', data: s.byDay.map((d) => d.conversations), itemStyle: { color: '#1f5fa8' } },
          { name: '转人工', type: 'line', data: s.byDay.map((d) => d.handoffs), itemStyle: { color: '#e67e22' } },
        ],
      },
      true,
    );
    const rate = (a: number, b: number) => (b ? Math.round((a / b) * 1000) / 10 : null);
    chart('chart-rates').setOption(
      {
        tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (v === null || v === undefined ? '—' : `${v}%`) },
        legend: { top: 0, textStyle: FONT },
        grid: { left: 48, right: 24, top: 40, bottom: 32 },
        xAxis: { type: 'category', data: dates, ...axis },
        yAxis: { type: 'value', max: 100, axisLabel: { ...FONT, formatter: '{value}%' } },
        series: [
          { name: '解答率', type: 'line', connectNulls: true, symbolSize: 8, data: s.byDay.map((d) => rate(d.answered, d.asked)), itemStyle: { color: '#1e8449' } },
          { name: '转人工率', type: 'line', connectNulls: true, symbolSize: 8, data: s.byDay.map((d) => rate(d.handoffs, d.conversations)), itemStyle: { color: '#e67e22' } },
        ],
      },
      true,
    );
    chart('chart-ratings').setOption(
      {
        tooltip: { trigger: 'item' },
        title: { text: `满意率 ${percent(s.satisfaction)}`, left: 'center', top: 0, textStyle: { fontSize: 16 } },
        series: [
          {
            type: 'pie',
            radius: ['38%', '66%'],
            top: 24,
            label: { ...FONT, formatter: '{b}\n{c}' },
            data: LEVELS.map((name, i) => ({ name, value: s.ratings[String(i + 1) as '1'], itemStyle: { color: COLORS[i] } })),
          },
        ],
      },
      true,
    );
    chart('chart-times').setOption(
      {
        tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => duration(Number(v)) },
        grid: { left: 64, right: 24, top: 24, bottom: 32 },
        xAxis: { type: 'category', data: ['等待时长', '处理时长'], ...axis },
        yAxis: { type: 'value', name: '秒', ...axis },
        series: [{ type: 'bar', barWidth: '40%', data: [s.medianWaitSeconds ?? 0, s.medianHandlingSeconds ?? 0], itemStyle: { color: '#5dade2' } }],
      },
      true,
    );
    const hbar = (id: string, names: string[], values: number[], color: string) =>
      chart(id).setOption(
        {
          tooltip: { trigger: 'axis' },
          grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
          xAxis: { type: 'value', minInterval: 1, ...axis },
          yAxis: { type: 'category', inverse: true, data: names, axisLabel: { ...FONT, width: 220, overflow: 'truncate' } },
          series: [{ type: 'bar', data: values, itemStyle: { color }, label: { show: true, position: 'right' } }],
        },
        true,
      );
    // An empty chart says so instead of showing bare axes.
    const empty = (id: string, none: boolean) => none && chart(id).setOption({ graphic: { type: 'text', left: 'center', top: 'middle', style: { text: '这段时间暂无数据', fontSize: 16, fill: '#5b6472' } } });
    hbar('chart-services', s.topServices.map((x) => x.title), s.topServices.map((x) => x.answers), '#1f5fa8');
    hbar('chart-unanswered', s.topUnanswered.map((x) => x.sample), s.topUnanswered.map((x) => x.count), '#c0392b');
    empty('chart-services', !s.topServices.length);
    empty('chart-unanswered', !s.topUnanswered.length);
    empty('chart-ratings', !s.ratingCount);
    // The same period as CSV (masked, audited by the server).
    clear(
      exports,
      h('span', { class: 'muted' }, '导出本时段：'),
      h('a', { href: `/api/admin/export/ratings.csv${q(filter.value())}`, download: '' }, '好差评 CSV'),
      h('a', { href: `/api/admin/export/conversations.csv${q(filter.value())}`, download: '' }, '会话 CSV'),
    );
    el.dataset.loaded = String(Date.now());
  }

  return { el, show: () => void load() };
}
