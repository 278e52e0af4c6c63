// Runs every service's suite against a fresh moto_server and prints the deduplicated findings as Markdown
// (the list the README shows). Usage: node --import tsx scripts/moto-findings.ts [--runs N] [--seed S]
import { parseArgs } from 'node:util';
import { startMoto } from '../harness/targets/moto.js';
import { runService } from '../harness/runner.js';
import { DUMMY_CREDENTIALS } from '../harness/sdk.js';
import { SERVICES, serviceNamed } from '../services/index.js';
import { describeObservation } from '../reports/text.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { values } = parseArgs({ options: { runs: { type: 'string', default: '100' }, seed: { type: 'string', default: '7' } } });
const moto = await startMoto();
const lines: string[] = [];
try {
  for (const adapter of SERVICES.map((s) => s.adapter)) {
    const r = await runService(adapter, { url: moto.endpoint, region: 'us-east-1', credentials: DUMMY_CREDENTIALS }, {
      runs: Number(values.runs),
      seed: Number(values.seed),
      consistency: 'strict',
      settleMs: 0,
      maxDivergences: 30,
      replayBase: '--target http://127.0.0.1:5000',
    });
    lines.push(`**${adapter.service}** — verdict \`${r.verdict}\`${r.reason ? ` (${r.reason.slice(0, 140)})` : ''}; ${r.calls} calls in ${(r.durationMs / 1000).toFixed(1)} s`, '');
    const profile = Object.entries(r.profile);
    if (profile.length) lines.push(`- behaviour profile: AWS, except ${profile.map(([k, v]) => `\`${k}=${v}\``).join(', ')}`);
    if (r.unsupportedOperations.length) lines.push(`- unsupported: ${r.unsupportedOperations.map((o) => `\`${o}\``).join(', ')}`);
    for (const d of r.divergences) {
      const why = d.explainedBy ? ` (explained by \`${d.explainedBy.switch}=${d.explainedBy.value}\`)` : '';
      const after = d.afterSetAside.length ? ` — after ${d.afterSetAside.map((x) => `\`${x}\``).join(', ')}` : '';
      lines.push(`- \`${d.rule}\` [${d.evidence}]${why}: ${d.summary}; moto: ${describeObservation(d.actual).replace(/\|/g, '\\|').slice(0, 110)} (${d.calls} calls)${after}`);
    }
    lines.push('');
  }
} finally {
  await moto.stop();
}
console.log(`Found with moto ${moto.version}, seed ${values.seed}, ${values.runs} sequences per round:\n`);
console.log(lines.join('\n'));
