'use strict';
/**
 * The pure part of `npm run demo` (scripts/demo.js): reading the example CSV, finding the
 * workflow's nodes, pairing the Hyfin node's output items with the CSV rows, checking them against
 * what the CSV implies, and formatting the summary. No I/O, no n8n process: easy to reason about.
 *
 * Plain CommonJS for Node 20, no dependencies.
 */

/**
 * The rows of examples/customers.csv that are bad on purpose, and the error Hyfin's style names for
 * each (the node's checks before sending). Every other row is expected in Hyfin: `added` on the
 * first run against a fresh sandbox, `updated` on the next.
 */
const EXPECTED_REJECTIONS = {
  'C-1007': { why: 'missing last name', error: /last_name/ },
  'C-1009': { why: 'notify by text without a phone', error: /mobile_phone/ },
  'C-1011': { why: 'malformed email', error: /email/ },
};

/**
 * RFC 4180 CSV: quoted fields ("a, ""b"""), CRLF or LF, a leading BOM; the first line is the
 * header. Returns one object per data row (blank lines skipped), values as strings.
 * @param {string} text
 * @returns {Record<string, string>[]}
 */
function parseCsv(text) {
  const src = text.replace(/^\uFEFF/, '');
  /** @type {string[][]} */
  const records = [];
  let record = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || record.length) {
    record.push(field);
    records.push(record);
  }
  const nonBlank = records.filter((r) => !(r.length === 1 && r[0].trim() === ''));
  if (nonBlank.length === 0) return [];
  const [header, ...rows] = nonBlank;
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h.trim(), r[i] ?? ''])));
}

/**
 * The demo's nodes in the example workflow, found by type (so that renaming a node in the editor
 * and exporting again keeps the demo working). Throws naming what is missing.
 * @param {{ nodes: { name: string, type: string }[], connections: Record<string, any> }} workflow
 */
function demoNodes(workflow) {
  const byType = (type) => {
    const node = workflow.nodes.find((n) => n.type === type);
    if (!node) throw new Error(`the example workflow has no node of type ${type}`);
    return node;
  };
  const read = byType('n8n-nodes-base.readWriteFile');
  const extract = byType('n8n-nodes-base.extractFromFile');
  const hyfin = byType('n8n-nodes-hyfin.hyfin');
  const ifNode = byType('n8n-nodes-base.if');
  const outputs = (workflow.connections[ifNode.name] && workflow.connections[ifNode.name].main) || [];
  const target = (i) => {
    const conn = outputs[i] && outputs[i][0];
    if (!conn) throw new Error(`the IF node "${ifNode.name}" has nothing on its ${i === 0 ? 'true' : 'false'} output`);
    return conn.node;
  };
  return { read, extract, hyfin, ifNode, trueBranch: target(0), falseBranch: target(1) };
}

/** The input index an output item is paired with (n8n's pairedItem: number, object or array). */
function pairedIndex(item, fallback) {
  let p = item && item.pairedItem;
  if (Array.isArray(p)) p = p[0];
  if (typeof p === 'number') return p;
  if (p && typeof p.item === 'number') return p.item;
  return fallback;
}

/**
 * What one Hyfin output item says: `added`, `updated`, `rejected` (with Hyfin-style errors), or
 * `unexpected` (an item of none of the documented shapes, e.g. `{ error }` from On Error).
 * @param {Record<string, any>} json
 */
function outcomeOf(json) {
  if (json && json.success === true && (json.action === 'added' || json.action === 'updated')) {
    return { outcome: json.action, errors: [] };
  }
  if (json && json.success === false && Array.isArray(json.errors)) {
    return { outcome: 'rejected', errors: json.errors.map(String) };
  }
  return { outcome: 'unexpected', errors: [JSON.stringify(json).slice(0, 200)] };
}

/**
 * Pairs each Hyfin output item with the Extract rows item it came from, and checks the whole run
 * against the CSV. `run` is 1 or 2: every row not in EXPECTED_REJECTIONS must be `added` on run 1
 * and `updated` on run 2.
 * @param {{ csvRows: Record<string, string>[], extractItems: { json: any }[],
 *   hyfinItems: { json: any, pairedItem?: any }[], trueItems: any[], falseItems: any[],
 *   run: number, expectedRejections?: typeof EXPECTED_REJECTIONS }} input
 * @returns {{ rows: { externalId: string, name: string, outcome: string, errors: string[] }[],
 *   totals: Record<string, number>, branches: { synced: number, rejected: number }, problems: string[] }}
 */
function summarizeRun(input) {
  const { csvRows, extractItems, hyfinItems, trueItems, falseItems, run } = input;
  const expectedRejections = input.expectedRejections || EXPECTED_REJECTIONS;
  const problems = [];
  const expectedAction = run === 1 ? 'added' : 'updated';

  if (extractItems.length !== csvRows.length) {
    problems.push(`Extract rows gave ${extractItems.length} rows; the CSV has ${csvRows.length}`);
  }
  extractItems.forEach((item, i) => {
    const want = csvRows[i] && csvRows[i].external_id;
    if (want !== undefined && String(item.json.external_id) !== want) {
      problems.push(`Extract rows item ${i} has external_id "${item.json.external_id}"; the CSV row says "${want}"`);
    }
  });
  if (hyfinItems.length !== extractItems.length) {
    problems.push(`the Hyfin node output ${hyfinItems.length} items for ${extractItems.length} input rows`);
  }

  const rows = hyfinItems.map((item, i) => {
    const index = pairedIndex(item, i);
    const source = extractItems[index] ? extractItems[index].json : {};
    const externalId = String(source.external_id ?? '?');
    const name = [source.first_name, source.last_name].filter((s) => s != null && String(s).trim()).join(' ');
    const { outcome, errors } = outcomeOf(item.json);
    if (item.json && item.json.external_id != null && String(item.json.external_id) !== externalId) {
      problems.push(`Hyfin output item ${i} says external_id "${item.json.external_id}" but is paired with row ${index} ("${externalId}")`);
    }
    const expected = expectedRejections[externalId];
    if (outcome === 'unexpected') {
      problems.push(`${externalId}: the Hyfin node output an unexpected item: ${errors[0]}`);
    } else if (expected && outcome !== 'rejected') {
      problems.push(`${externalId} should have been rejected (${expected.why}) but was ${outcome}`);
    } else if (expected && !errors.some((e) => expected.error.test(e))) {
      problems.push(`${externalId} was rejected, but not for ${expected.why}: ${errors.join(', ')}`);
    } else if (!expected && outcome !== expectedAction) {
      problems.push(
        `${externalId} should have been ${expectedAction} on run ${run} but was ${outcome}` +
          (errors.length ? `: ${errors.join(', ')}` : ''),
      );
    }
    return { externalId, name, outcome, errors };
  });

  const seen = new Set(rows.map((r) => r.externalId));
  for (const id of Object.keys(expectedRejections)) {
    if (!seen.has(id)) problems.push(`${id} (${expectedRejections[id].why}) is not in the output at all`);
  }

  const totals = { rows: rows.length, added: 0, updated: 0, rejected: 0, unexpected: 0 };
  for (const r of rows) totals[r.outcome] += 1;
  const accepted = totals.added + totals.updated;
  if (trueItems.length !== accepted || falseItems.length !== totals.rejected) {
    problems.push(
      `the IF node sent ${trueItems.length} items to the true branch and ${falseItems.length} to the false one; ` +
        `expected ${accepted} and ${totals.rejected}`,
    );
  }
  if (trueItems.some((j) => j.success !== true) || falseItems.some((j) => j.success !== false)) {
    problems.push('the IF node sent an item down the wrong branch');
  }
  return { rows, totals, branches: { synced: trueItems.length, rejected: falseItems.length }, problems };
}

/** "1.2 s" / "850 ms" */
function seconds(ms) {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The readable lines for one run: one per row, then totals and the IF branches.
 * @param {ReturnType<typeof summarizeRun>} summary
 * @param {{ trueBranch: string, falseBranch: string, ifName: string }} names
 */
function formatRun(summary, names) {
  const idWidth = Math.max(11, ...summary.rows.map((r) => r.externalId.length));
  const nameWidth = Math.max(4, ...summary.rows.map((r) => r.name.length));
  const lines = [`  ${'external_id'.padEnd(idWidth)}  ${'name'.padEnd(nameWidth)}  result`];
  for (const r of summary.rows) {
    const result = r.outcome === 'rejected' ? `rejected: ${r.errors.join(', ')}` : r.outcome;
    lines.push(`  ${r.externalId.padEnd(idWidth)}  ${(r.name || '-').padEnd(nameWidth)}  ${result}`);
  }
  const t = summary.totals;
  const parts = [`${t.added} added`, `${t.updated} updated`, `${t.rejected} rejected`];
  if (t.unexpected) parts.push(`${t.unexpected} unexpected`);
  lines.push(`  Totals: ${t.rows} rows: ${parts.join(', ')}`);
  lines.push(
    `  ${names.ifName}: true -> "${names.trueBranch}": ${summary.branches.synced}, ` +
      `false -> "${names.falseBranch}": ${summary.branches.rejected}`,
  );
  return lines;
}

module.exports = { EXPECTED_REJECTIONS, parseCsv, demoNodes, pairedIndex, outcomeOf, summarizeRun, formatRun, seconds };
