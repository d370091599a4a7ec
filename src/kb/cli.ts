/**
 * The knowledge-base command line:
 *   npm run kb:check [-- <root> …]                      check guides, FAQ and forms
 *   npm run kb -- import <file> --format gdzwfw --into <dir>
 *   npm run kb -- import <file.csv|file.xlsx> --format faq --into <dir>
 */
import { parseArgs } from 'node:util';
import { createReadStream, statSync } from 'node:fs';
import cliProgress from 'cli-progress';
import { loadFormSpecs } from '../forms/spec.js';
import { formatProblem, loadKnowledgeBase } from './load.js';
import { importFaqFile, importGdzwfwFile, type ImportReport } from './import/run.js';

const USAGE = `usage:
  kb check [<knowledge-root> …]                (default: $KNOWLEDGE_DIR or knowledge)
  kb import <file> --format gdzwfw --into <dir>
  kb import <file.csv|.xlsx> --format faq --into <dir> [--kb <knowledge-root>]`;

function check(roots: string[]): number {
  const kb = loadKnowledgeBase(roots);
  for (const p of kb.problems) console.log(formatProblem(p));
  const errors = kb.problems.filter((p) => p.severity === 'error').length;
  const warnings = kb.problems.length - errors;
  const forms = loadFormSpecs(roots).byId.size;
  console.log(`${kb.guides.length} guides, ${kb.faqs.length} FAQ files, ${forms} form specs checked in ${roots.join(', ')}: ${errors} errors, ${warnings} warnings`);
  return errors ? 1 : 0;
}

async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(file)) for (const b of chunk as Buffer) if (b === 10) n++;
  return n + 1;
}

function printReport(r: ImportReport): void {
  console.log(`imported ${r.imported} from ${r.file} into ${r.into}; rejected ${r.rejected.length}`);
  for (const x of r.rejected) console.log(`  ${r.file}:${x.line}: ${x.reason}`);
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === 'check') {
    const roots = rest.filter((a) => !a.startsWith('-'));
    return check(roots.length ? roots : [process.env.KNOWLEDGE_DIR || 'knowledge']);
  }
  if (cmd === 'import') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { format: { type: 'string' }, into: { type: 'string' }, kb: { type: 'string', default: process.env.KNOWLEDGE_DIR || 'knowledge' } },
    });
    const file = positionals[0];
    if (!file || !values.format || !values.into) {
      console.error(USAGE);
      return 2;
    }
    if (!statSync(file, { throwIfNoEntry: false })?.isFile()) {
      console.error(`no such file: ${file}`);
      return 2;
    }
    if (values.format === 'gdzwfw') {
      const total = await countLines(file);
      const bar = process.stderr.isTTY ? new cliProgress.SingleBar({ format: 'importing {bar} {value}/{total} lines', stream: process.stderr }, cliProgress.Presets.shades_classic) : null;
      bar?.start(total, 0);
      const report = await importGdzwfwFile(file, values.into, (line) => bar?.update(line));
      bar?.stop();
      printReport(report);
      return 0;
    }
    if (values.format === 'faq') {
      const known = new Set(loadKnowledgeBase([values.kb]).guides.map((g) => g.id));
      printReport(await importFaqFile(file, values.into, known));
      return 0;
    }
    console.error(`unknown --format "${values.format}": use gdzwfw or faq`);
    return 2;
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
