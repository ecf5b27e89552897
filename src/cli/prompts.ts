import { EXIT, MonwireError } from "../errors.js";
import type { RulesChoice, RulesPlan } from "../scaffold/rules-plan.js";
import { describeProposal, type RuleJson } from "../scaffold/rules-propose.js";
import type { FileChange, InitAnswers, ProjectInfo } from "../scaffold/types.js";

/**
 * Every question monwire asks, in one module. Prompts write to stderr (stdout carries results)
 * and are only used when stdin is a TTY and CI is unset; @inquirer/prompts is loaded on first use.
 */
const context = () => ({ output: process.stderr });

/** Ctrl-C in a prompt is an interruption (exit 130), not an internal error. */
async function guard<T>(ask: () => Promise<T>): Promise<T> {
  try {
    return await ask();
  } catch (error) {
    if ((error as Error).name === "ExitPromptError" || (error as Error).name === "AbortPromptError") {
      throw new MonwireError("E_USAGE", "interrupted", { exitCode: EXIT.interrupted });
    }
    throw error;
  }
}

const TENANT_SOURCE = /^(header:[A-Za-z0-9-]+|param:\w+|query:\w+|subdomain)$/;

export async function askInitAnswers(
  _project: ProjectInfo,
  defaults: InitAnswers,
  missing: Array<keyof InitAnswers>,
  given: Array<keyof InitAnswers>,
): Promise<Partial<InitAnswers>> {
  const { input, number, checkbox } = await import("../vendor/inquirer-prompts.js");
  return guard(async () => {
    const answers: Partial<InitAnswers> = {};
    if (missing.includes("tenants")) {
      const tenants = await input({
        message: "Tenant ids, comma-separated (empty for a single-tenant app):",
        default: defaults.tenants.join(","),
        validate: (value) => /^[\w-]*(,\s*[\w-]+)*$/.test(value.trim()) || "letters, digits, - and _, separated by commas",
      }, context());
      answers.tenants = tenants.split(",").map((t) => t.trim()).filter(Boolean);
    }
    if (!given.includes("tenantFrom") && (answers.tenants ?? defaults.tenants).length > 0) {
      const from = await input({
        message: "Where does a request's tenant come from? (header:NAME, param:NAME, query:NAME or subdomain)",
        default: defaults.tenantFrom,
        validate: (value) => TENANT_SOURCE.test(value.trim()) || "expected header:x-shop, param:shop, query:shop or subdomain",
      }, context());
      answers.tenantFrom = from.trim();
    }
    if (missing.includes("port")) {
      answers.port = (await number({ message: "Port the app listens on:", default: defaults.port, min: 1, max: 65535, required: true }, context())) ?? defaults.port;
    }
    if (!given.some((key) => key === "sentry" || key === "metrics" || key === "audit")) {
      const features = await checkbox({
        message: "Set up:",
        choices: [
          { name: "Sentry error tracking", value: "sentry", checked: defaults.sentry },
          { name: "Prometheus metrics", value: "metrics", checked: defaults.metrics },
          { name: "Tamper-evident audit trail", value: "audit", checked: defaults.audit },
        ],
        required: true,
      }, context());
      answers.sentry = features.includes("sentry");
      answers.metrics = features.includes("metrics");
      answers.audit = features.includes("audit");
    }
    if ((answers.sentry ?? defaults.sentry) && !given.some((key) => key === "userIp" || key === "userAgent")) {
      const personal = await checkbox({
        message: "Personal data in Sentry error reports (GDPR: both identify a person; the shop's error context asks for both):",
        choices: [
          { name: "the client's IP address", value: "ip", checked: defaults.userIp },
          { name: "the client's user agent", value: "ua", checked: defaults.userAgent },
        ],
      }, context());
      answers.userIp = personal.includes("ip");
      answers.userAgent = personal.includes("ua");
    }
    if ((answers.sentry ?? defaults.sentry) && !given.includes("profiling")) {
      const { confirm } = await import("../vendor/inquirer-prompts.js");
      answers.profiling = await confirm({ message: "Profile CPU with @sentry/profiling-node? (adds a native package; ~1-5% CPU on traced requests)", default: defaults.profiling }, context());
    }
    return answers;
  });
}

/** Asks, per registration init could not classify, whether it handles errors; returns the ordinary ones. */
export async function confirmErrorMiddleware(registrations: string[]): Promise<string[]> {
  const { confirm } = await import("../vendor/inquirer-prompts.js");
  return guard(async () => {
    const ordinary: string[] = [];
    for (const registration of registrations) {
      const isError = await confirm({
        message: `Is \`${registration}\` error-handling middleware (a function of err, req, res, next)? monitoring.errorHandler must run before it; answer no only if you are sure it is ordinary middleware`,
        default: true,
      }, context());
      if (!isError) ordinary.push(registration);
    }
    return ordinary;
  });
}

/**
 * The route-rule checklist: every proposal checked, untick to leave one out; then each value
 * init had to guess, and the product list. Anything else is edited in mon.config.json later.
 */
export async function chooseRules(plan: RulesPlan): Promise<RulesChoice> {
  const { input, checkbox } = await import("../vendor/inquirer-prompts.js");
  return guard(async () => {
    const accepted = plan.proposals.length === 0 ? [] : await checkbox({
      message: "Route rules for business events (space toggles, enter accepts):",
      choices: plan.proposals.map((p) => ({ name: describeProposal(p), value: p.key, checked: true })),
      pageSize: 15,
    }, context());
    const changed: Record<string, RuleJson> = {};
    for (const proposal of plan.proposals.filter((p) => accepted.includes(p.key) && p.guessed.length > 0)) {
      const rule = { ...proposal.rule };
      for (const field of proposal.guessed) {
        rule[field] = (await input({
          message: `${proposal.key}: where is the ${field}? (body.x, params.x, query.x, response.x)`,
          default: String(rule[field]),
          validate: (value) => /^(body|params|query|headers|user|response)\.[\w$.[\]-]+$/.test(value.trim()) || "expected a path like body.amount or response.id",
        }, context())).trim();
      }
      changed[proposal.key] = rule;
    }
    const licenses = plan.proposals.some((p) => accepted.includes(p.key) && JSON.stringify(p.rule).includes('"license.generated"'));
    if (!licenses && plan.products.length === 0) return { accepted, products: [], changed };
    const products = await input({
      message: "Products (the product label of license_keys_generated_total), comma-separated:",
      default: plan.products.join(","),
      validate: (value) => /^\s*([\w.-]+(\s*,\s*[\w.-]+)*)?\s*$/.test(value) || "letters, digits, . _ and -, separated by commas",
    }, context());
    return { accepted, products: products.split(",").map((p) => p.trim()).filter(Boolean), changed };
  });
}

export async function confirmOverwrite(conflicts: FileChange[]): Promise<boolean> {
  const { confirm } = await import("../vendor/inquirer-prompts.js");
  const list = conflicts.map((c) => c.path).join(", ");
  return guard(() => confirm({ message: `You changed ${list} after monwire wrote ${conflicts.length > 1 ? "them" : "it"}. Overwrite with monwire's version?`, default: false }, context()));
}

/**
 * The last question before init or uninstall writes: the plan and diffs are on screen above it.
 * Init defaults to yes (it only adds, and every edit is undone by uninstall); uninstall to no.
 */
export async function confirmApply(count: number, defaultYes: boolean): Promise<boolean> {
  const { confirm } = await import("../vendor/inquirer-prompts.js");
  return guard(() => confirm({ message: `Apply these ${count} change${count === 1 ? "" : "s"}?`, default: defaultYes }, context()));
}
