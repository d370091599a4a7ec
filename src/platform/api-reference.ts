/**
 * GET /docs: the API reference, rendered on the server from the OpenAPI document. Swagger UI
 * (@hono/swagger-ui) would load its script and styles from a CDN, which the CSP forbids and an
 * intranet may not reach; swagger-ui-dist is not installed, so this page is plain HTML with no
 * script at all.
 */

type Json = unknown;
interface Schema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: Json[];
  const?: Json;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  description?: string;
  example?: Json;
  nullable?: boolean;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  additionalProperties?: Schema | boolean;
}
interface Operation {
  tags?: string[];
  summary?: string;
  description?: string;
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema; description?: string }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Schema }> }>;
  security?: unknown[];
}
export interface OpenApiDocument {
  info?: { title?: string; version?: string; description?: string };
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** A compact type line for a schema: `{ sessionId?: string, message: string }`, `Reply`, `"a" | "b"`. */
export function typeOf(s: Schema | undefined, depth = 0): string {
  if (!s) return 'any';
  if (s.$ref) return s.$ref.split('/').pop()!;
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return alts.map((a) => typeOf(a, depth)).join(' | ');
  if (s.allOf) return s.allOf.map((a) => typeOf(a, depth)).join(' & ');
  const t = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  const base = t.filter((x) => x !== 'null');
  const nullable = t.includes('null') || s.nullable ? ' | null' : '';
  if (base[0] === 'array') return `${typeOf(s.items, depth)}[]${nullable}`;
  if (base[0] === 'object' || s.properties) {
    if (!s.properties) return `object${nullable}`;
    if (depth > 1) return `{ … }${nullable}`;
    const req = new Set(s.required ?? []);
    const fields = Object.entries(s.properties).map(([k, v]) => `${k}${req.has(k) ? '' : '?'}: ${typeOf(v, depth + 1)}`);
    return `{ ${fields.join(', ')} }${nullable}`;
  }
  return (base.join(' | ') || 'any') + nullable;
}

function schemaCell(content: Record<string, { schema?: Schema }> | undefined): string {
  if (!content) return '';
  return Object.entries(content)
    .map(([type, c]) => `<div><span class="ct">${esc(type)}</span> <code>${esc(typeOf(c.schema))}</code></div>`)
    .join('');
}

function operationHtml(method: string, path: string, op: Operation): string {
  const anchor = `${method}-${path}`.replace(/[^\w-]+/g, '-');
  const params = (op.parameters ?? [])
    .map((p) => `<tr><td><code>${esc(p.name)}</code>${p.required ? ' <span class="req">必填</span>' : ''}</td><td>${esc(p.in)}</td><td><code>${esc(typeOf(p.schema))}</code></td><td>${esc(p.description ?? p.schema?.description ?? '')}</td></tr>`)
    .join('');
  const responses = Object.entries(op.responses ?? {})
    .map(([status, r]) => `<tr><td><b>${esc(status)}</b></td><td>${esc(r.description ?? '')}</td><td>${schemaCell(r.content)}</td></tr>`)
    .join('');
  const description = op.description ? `<pre class="desc">${esc(op.description)}</pre>` : '';
  return `<section class="op" id="${esc(anchor)}">
<h3><span class="m m-${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code>${op.security?.length ? ' <span class="lock">staff</span>' : ''}</h3>
<p>${esc(op.summary ?? '')}</p>${description}
${params ? `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th></th></tr>${params}</table>` : ''}
${op.requestBody ? `<h4>Request body</h4>${schemaCell(op.requestBody.content)}` : ''}
<h4>Responses</h4><table><tr><th>status</th><th></th><th>body</th></tr>${responses}</table>
</section>`;
}

const STYLE = `body{margin:0;font:15px/1.6 system-ui,"PingFang SC","Microsoft YaHei",sans-serif;color:#1a1a1a;background:#f7f8fa}
header{background:#0b4f96;color:#fff;padding:1rem 1.5rem}header h1{margin:0;font-size:1.4rem}header p{margin:.3rem 0 0}
main{max-width:70rem;margin:0 auto;padding:1rem 1.5rem 4rem}nav ul{columns:3 14rem;padding-left:1rem}
h2{border-bottom:2px solid #d6d6d6;margin-top:2rem}.op{background:#fff;border:1px solid #d6d6d6;border-radius:.4rem;padding:.5rem 1rem;margin:.8rem 0}
.op h3{font-size:1.05rem;margin:.4rem 0}.m{display:inline-block;min-width:3.6rem;text-align:center;border-radius:.25rem;color:#fff;font-size:.85rem;padding:0 .3rem}
.m-get{background:#1a7f37}.m-post{background:#0b4f96}.m-patch,.m-put{background:#9a6700}.m-delete{background:#a8071a}
.lock{font-size:.8rem;border:1px solid #9a6700;color:#9a6700;border-radius:.25rem;padding:0 .3rem}.req{color:#a8071a;font-size:.8rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}td,th{border-top:1px solid #eee;padding:.25rem .4rem;text-align:left;vertical-align:top}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem;word-break:break-word}.ct{color:#555;font-size:.8rem}
pre.desc{white-space:pre-wrap;background:#f3f4f6;padding:.5rem;border-radius:.3rem;font:inherit;font-size:.9rem}h4{margin:.6rem 0 .2rem;font-size:.9rem}`;

/** The whole page: operations grouped by tag, each with its parameters, body and responses. */
export function apiReferencePage(doc: OpenApiDocument): string {
  const byTag = new Map<string, string[]>();
  const index = new Map<string, string[]>();
  for (const [path, ops] of Object.entries(doc.paths ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    for (const method of METHODS) {
      const op = ops[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'other';
      if (!byTag.has(tag)) (byTag.set(tag, []), index.set(tag, []));
      byTag.get(tag)!.push(operationHtml(method, path, op));
      index.get(tag)!.push(`<li><a href="#${esc(`${method}-${path}`.replace(/[^\w-]+/g, '-'))}">${esc(method.toUpperCase())} ${esc(path)}</a></li>`);
    }
  }
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(([name, s]) => `<tr><td id="schema-${esc(name)}"><b>${esc(name)}</b></td><td><code>${esc(typeOf(s))}</code></td></tr>`)
    .join('');
  const tags = [...byTag.keys()].sort();
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info?.title ?? 'API')} · API reference</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${esc(doc.info?.title ?? 'API')} <small>v${esc(doc.info?.version ?? '')}</small></h1><p>${esc(doc.info?.description ?? '')} Machine-readable: <a href="/openapi.json" style="color:#fff">/openapi.json</a>. Errors always have the shape <code>{ "error": { "code", "message" } }</code>.</p></header>
<main>
<nav aria-label="Operations">${tags.map((t) => `<h2>${esc(t)}</h2><ul>${index.get(t)!.join('')}</ul>`).join('')}</nav>
${tags.map((t) => `<h2 id="tag-${esc(t)}">${esc(t)}</h2>${byTag.get(t)!.join('\n')}`).join('\n')}
<h2>Schemas</h2><table>${schemas}</table>
</main>
</body>
</html>`;
}
