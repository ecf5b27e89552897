/**
 * Two to four examples per command, shown after its options (`mon report --help`). One table so
 * every command gets them and a test can hold each to the rule; a new command without an entry
 * fails that test.
 */
export const HELP_EXAMPLES: Readonly<Record<string, ReadonlyArray<readonly [string, string]>>> = {
  init: [
    ["mon init", "detect the app, ask three questions, show the plan and diffs, ask before writing"],
    ["mon init --dry-run", "show the plan and diffs; change nothing"],
    ["mon init --yes --tenants EUR,KM --port 5000", "no questions (CI, scripts)"],
  ],
  uninstall: [
    ["mon uninstall --dry-run", "list what would be removed"],
    ["mon uninstall", "show the plan, ask, then remove what mon init added; files you changed are kept"],
    ["mon uninstall --yes --skip-install", "in CI or a script: remove without asking (required without a terminal)"],
  ],
  check: [
    ["mon check", "metrics, Sentry and audit trail against the running app"],
    ["mon check --strict --format github", "in CI: warnings and unreachable targets fail"],
    ["mon check --only audit --offline", "only the audit trail, no network"],
    ["mon check --url http://127.0.0.1:3000/metrics --probe-cardinality", "another address; 50 random 404s must not add series"],
  ],
  tail: [
    ["mon tail --category financial", "follow money live"],
    ["mon tail --tenant KM --outcome failure --since 2h", "failures of one tenant in the last two hours"],
    ["mon tail -n 50 --no-follow --json", "the last 50 entries as NDJSON, then exit"],
  ],
  verify: [
    ["mon verify", "every day file and anchor"],
    ["mon verify --from 2025-01-01 --to 2025-01-31", "one month"],
    ["mon verify --json | jq .status", "for scripts"],
  ],
  seal: [
    ["mon seal", "anchor every closed day through yesterday"],
    ["mon seal --through 2025-01-31", "up to a given day"],
  ],
  prune: [
    ["mon prune", "show which days are past the retention (dry run)"],
    ["mon prune --yes", "delete them, keeping a checkpoint"],
  ],
  report: [
    ["mon report --day yesterday", "a day as tables"],
    ["mon report --from 2025-01-01 --to 2025-01-31 --tz Europe/Sarajevo --format markdown", "a month, local days"],
    ["mon report --day yesterday --format html > day.html", "one self-contained page with charts, prints on A4"],
    ["mon report --tenant KM --json", "one tenant, for scripts"],
  ],
  demo: [
    ["mon demo", "the whole product on a sample shop, about 15 seconds"],
    ["mon demo --keep-running", "leave the shop up to try commands against it"],
    ["mon demo --prometheus --duration 20", "with a real Prometheus scraping it"],
  ],
  sentry: [
    ["mon sentry sourcemaps inject dist", "add debug ids to the build's .js files and maps (after every build)"],
    ["mon sentry sourcemaps inject dist --dry-run --json", "list what would change, for scripts"],
    ["mon sentry release stamp dist", "write dist/sentry-release.json with the release and commit (after every build)"],
  ],
  completion: [
    ["mon completion bash >> ~/.bashrc", "bash"],
    ["mon completion zsh > \"${fpath[1]}/_mon\"", "zsh"],
    ["mon completion fish > ~/.config/fish/completions/mon.fish", "fish"],
  ],
};

export function formatExamples(command: string): string {
  const examples = HELP_EXAMPLES[command];
  if (!examples) return "";
  const width = Math.min(48, Math.max(...examples.map(([cmd]) => cmd.length)));
  const lines = examples.map(([cmd, what]) => (cmd.length > width ? `  $ ${cmd}\n      ${what}` : `  $ ${cmd.padEnd(width)}  ${what}`));
  return `\nExamples:\n${lines.join("\n")}\n`;
}
