/**
 * The status page's script (served as a hashed asset): polls /status.json every few seconds and
 * draws each series as a small inline SVG. Plain browser JavaScript, no library.
 */
export const STATUS_SCRIPT = String.raw`
(function () {
  'use strict';
  var POLL_MS = 3000;
  var BREAKER = ['closed', 'half-open', 'open'];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    for (var key in attrs || {}) {
      if (key === 'text') node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    }
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function svg(tag, attrs) {
    var node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (var key in attrs) node.setAttribute(key, attrs[key]);
    return node;
  }

  /** A sparkline of one field of a series: null values leave gaps. */
  function chart(series, field, label, format, max) {
    var width = 180, height = 36;
    var values = series.map(function (point) { return point[field]; });
    var top = max !== undefined ? max : Math.max.apply(null, values.filter(function (v) { return v !== null; }).concat([0]));
    var box = svg('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, 'class': 'chart', role: 'img', 'aria-label': label });
    var step = width / Math.max(1, values.length - 1);
    var path = '';
    values.forEach(function (value, index) {
      if (value === null || value === undefined) { path += ' '; return; }
      var x = (index * step).toFixed(1);
      var y = (height - 2 - (top > 0 ? (value / top) * (height - 4) : 0)).toFixed(1);
      path += (path === '' || path.slice(-1) === ' ' ? 'M' : 'L') + x + ' ' + y;
    });
    box.appendChild(svg('path', { d: path.trim(), fill: 'none', stroke: 'currentColor', 'stroke-width': '1.5' }));
    var last = values.filter(function (v) { return v !== null && v !== undefined; }).pop();
    return el('div', { 'class': 'metric' }, [
      el('div', { 'class': 'label', text: label + ': ' + (last === undefined ? '—' : format(last)) }),
      box,
    ]);
  }

  var perSecond = function (v) { return v.toFixed(2) + '/s'; };
  var ms = function (v) { return v < 10 ? v.toFixed(1) + ' ms' : Math.round(v) + ' ms'; };
  var percent = function (v) { return (v * 100).toFixed(1) + '%'; };
  var seconds = function (v) { return v.toFixed(1) + ' s'; };

  function charts(series, withBreaker) {
    return el('div', { 'class': 'charts' }, [
      chart(series, 'rate', 'requests', perSecond),
      chart(series, 'p50Ms', 'p50', ms),
      chart(series, 'p99Ms', 'p99', ms),
      chart(series, 'errorRate', 'errors', percent, 1),
      withBreaker ? chart(series, 'breaker', 'breaker', function (v) { return BREAKER[v] || String(v); }, 2) : null,
    ]);
  }

  function subgraphCard(subgraph) {
    var state = subgraph.ready === null ? 'unknown' : subgraph.ready ? 'up' : 'down';
    var consumers = subgraph.consumers.map(function (c) {
      return el('li', { text: c.consumer + ': lag ' + seconds(c.lagSeconds) });
    });
    return el('section', { 'class': 'card ' + state, 'data-subgraph': subgraph.name, 'data-state': state }, [
      el('h2', {}, [el('span', { 'class': 'dot' }), el('span', { text: subgraph.name + ' ' }), el('span', { 'class': 'state', text: state === 'up' ? 'ready' : state === 'down' ? 'down' : 'not checked yet' })]),
      el('p', { 'class': 'detail', text: (subgraph.problem ? subgraph.problem + ' · ' : '') + 'breaker ' + subgraph.breaker + (subgraph.checkedAt ? ' · checked ' + new Date(subgraph.checkedAt).toLocaleTimeString() : '') }),
      charts(subgraph.series, true),
      subgraph.outbox ? el('p', { 'class': 'detail', text: 'outbox: ' + subgraph.outbox.depth + ' waiting, oldest ' + seconds(subgraph.outbox.oldestAgeSeconds) }) : null,
      consumers.length ? el('ul', { 'class': 'consumers' }, consumers) : null,
    ]);
  }

  function slowTable(slowest) {
    var rows = slowest.map(function (op) {
      return el('tr', {}, [
        el('td', { text: op.operation }),
        el('td', { text: ms(op.durationMs) }),
        el('td', { text: op.outcome }),
        el('td', { text: new Date(op.at).toLocaleTimeString() }),
        el('td', { 'class': 'mono', text: op.requestId }),
        el('td', { 'class': 'mono', text: op.traceId || '—' }),
      ]);
    });
    var head = el('tr', {}, ['operation', 'time', 'outcome', 'at', 'request id', 'trace id'].map(function (h) { return el('th', { text: h }); }));
    return el('table', {}, [el('thead', {}, [head]), el('tbody', {}, rows)]);
  }

  function render(status) {
    var root = document.getElementById('root');
    root.textContent = '';
    var down = status.subgraphs.filter(function (s) { return s.ready === false; }).length;
    root.appendChild(el('p', { 'class': 'summary ' + (down ? 'bad' : 'good'), id: 'summary', text: down ? down + ' of ' + status.subgraphs.length + ' subgraphs down' : 'all ' + status.subgraphs.length + ' subgraphs ready' }));
    root.appendChild(el('p', { 'class': 'detail', text: 'supergraph ' + (status.supergraph.hash ? status.supergraph.hash.slice(0, 12) : 'not loaded') + (status.supergraph.loadedAt ? ', loaded ' + new Date(status.supergraph.loadedAt).toLocaleString() : '') + ' · last ' + status.windowMinutes + ' minutes in ' + status.bucketSeconds + ' s steps · updated ' + new Date(status.generatedAt).toLocaleTimeString() }));
    root.appendChild(el('section', { 'class': 'card gateway' }, [el('h2', { text: 'gateway' }), charts(status.gateway.series, false)]));
    root.appendChild(el('div', { 'class': 'grid' }, status.subgraphs.map(subgraphCard)));
    root.appendChild(el('h2', { text: 'slowest recent operations' }));
    root.appendChild(slowTable(status.slowest));
  }

  function poll() {
    fetch('status.json', { cache: 'no-store' })
      .then(function (response) { return response.json(); })
      .then(render)
      .catch(function () {
        var summary = document.getElementById('summary');
        if (summary) summary.textContent = 'the gateway does not answer';
      })
      .then(function () { setTimeout(poll, POLL_MS); });
  }
  poll();
})();
`;

export const STATUS_STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2430; background: #f6f7f9; }
h1 { font-size: 1.3rem; margin: 0 0 .5rem; }
h2 { font-size: 1rem; margin: 0 0 .3rem; display: flex; align-items: center; gap: .4rem; }
.summary { font-weight: 600; padding: .4rem .7rem; border-radius: 6px; display: inline-block; }
.summary.good { background: #dff5e3; color: #14532d; }
.summary.bad { background: #fde2e1; color: #7f1d1d; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 1rem; margin: 1rem 0; }
.card { background: #fff; border: 1px solid #dde1e6; border-radius: 8px; padding: .8rem; }
.card.down { border-color: #dc2626; box-shadow: 0 0 0 2px #fecaca; }
.dot { width: .7rem; height: .7rem; border-radius: 50%; background: #9ca3af; display: inline-block; }
.up .dot { background: #16a34a; } .down .dot { background: #dc2626; }
.down .state { color: #b91c1c; font-weight: 700; }
.charts { display: flex; flex-wrap: wrap; gap: .6rem; color: #2563eb; }
.down .charts { color: #b91c1c; }
.metric .label { color: #4b5563; font-size: 12px; }
.detail { color: #4b5563; font-size: 12px; margin: .2rem 0 .5rem; }
.consumers { margin: .2rem 0 0; padding-left: 1.2rem; font-size: 12px; }
table { border-collapse: collapse; background: #fff; width: 100%; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #e5e7eb; font-size: 12px; }
.mono { font-family: ui-monospace, monospace; }
`;
