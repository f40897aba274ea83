'use strict';
/**
 * Reading an execution as `n8n execute --rawOutput` prints it: its log lines, then the run as
 * pretty-printed JSON ({ data: { resultData: { runData, lastNodeExecuted, error } }, status, ... }).
 */

/** The run document in n8n's output, or null when there is none. */
function parseRawOutput(stdout) {
	const lines = (stdout ?? '').split('\n');
	const start = lines.indexOf('{');
	const end = lines.lastIndexOf('}');
	if (start < 0 || end < start) return null;
	try {
		return JSON.parse(lines.slice(start, end + 1).join('\n'));
	} catch {
		return null;
	}
}

/** n8n's log of a command (what it printed before the run document, then stderr), for a failure report. */
const logOf = ({ stdout = '', stderr = '' }) => `${stdout.split('\n{\n')[0]}\n${stderr}`.trim().split('\n').slice(-80).join('\n');

/** The error a run ended with, or null. */
const errorOf = (run) => run?.data?.resultData?.error ?? null;

/**
 * A node's last run in the execution; throws when it did not run.
 * @param {any} run @param {string} nodeName
 * @returns {{ data?: { main: Array<Item[] | null> }, error?: any, executionTime: number, executionStatus?: string }}
 */
function nodeRun(run, nodeName) {
	const runs = run?.data?.resultData?.runData?.[nodeName];
	if (!runs?.length)
		throw new Error(`node "${nodeName}" did not run (ran: ${Object.keys(run?.data?.resultData?.runData ?? {}).join(', ')})`);
	return runs[runs.length - 1];
}

/** @typedef {{ json: Record<string, any>, pairedItem?: any }} Item an output item, as n8n stores it */

/** The items a node put on one of its outputs. @param {any} run @param {string} nodeName @param {number} [output] @returns {Item[]} */
const itemsOf = (run, nodeName, output = 0) => nodeRun(run, nodeName).data?.main?.[output] ?? [];

/** The json of those items. @param {any} run @param {string} nodeName @param {number} [output] @returns {Record<string, any>[]} */
const outputOf = (run, nodeName, output = 0) => itemsOf(run, nodeName, output).map((item) => item.json);

module.exports = { parseRawOutput, logOf, errorOf, nodeRun, itemsOf, outputOf };
