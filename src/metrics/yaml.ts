/**
 * A small YAML writer for the files monwire generates (Prometheus rules, tests, scrape config).
 * It covers maps, lists, numbers, booleans and strings; strings that could be misread are written
 * double-quoted (JSON escaping is valid YAML), multi-line strings as literal blocks.
 */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue | undefined };

const PLAIN = /^[A-Za-z_/.][A-Za-z0-9_ ./:-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~|y|n)$/i;

function scalar(value: string | number | boolean | null): string {
  if (value === null) return "null";
  if (typeof value !== "string") return String(value);
  if (PLAIN.test(value) && !RESERVED.test(value) && !value.endsWith(" ") && !value.includes(": ") && !value.includes(" #")) return value;
  return JSON.stringify(value);
}

const isMap = (value: YamlValue): value is { [key: string]: YamlValue | undefined } =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function key(name: string): string {
  return PLAIN.test(name) && !RESERVED.test(name) ? name : JSON.stringify(name);
}

function block(text: string, indent: string): string {
  return `|-\n${text.split("\n").map((line) => (line === "" ? "" : `${indent}${line}`)).join("\n")}`;
}

function lines(value: YamlValue, indent: string): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${indent}[]`];
    return value.flatMap((item) => {
      if (isMap(item) || Array.isArray(item)) {
        const nested = lines(item, `${indent}  `);
        return [`${indent}- ${nested[0]!.trimStart()}`, ...nested.slice(1)];
      }
      return [`${indent}- ${typeof item === "string" && item.includes("\n") ? block(item, `${indent}  `) : scalar(item)}`];
    });
  }
  if (isMap(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined) as Array<[string, YamlValue]>;
    if (entries.length === 0) return [`${indent}{}`];
    return entries.flatMap(([name, child]) => {
      if ((isMap(child) && Object.keys(child).length > 0) || (Array.isArray(child) && child.length > 0)) {
        return [`${indent}${key(name)}:`, ...lines(child, Array.isArray(child) ? indent : `${indent}  `)];
      }
      if (typeof child === "string" && child.includes("\n")) return [`${indent}${key(name)}: ${block(child, `${indent}  `)}`];
      return [`${indent}${key(name)}: ${isMap(child) ? "{}" : Array.isArray(child) ? "[]" : scalar(child)}`];
    });
  }
  return [`${indent}${scalar(value)}`];
}

/** Serialises a value as a YAML document, optionally preceded by `#` comment lines. */
export function toYaml(value: YamlValue, comments: string[] = []): string {
  const header = comments.map((line) => (line === "" ? "#" : `# ${line}`));
  return `${[...header, ...lines(value, "")].join("\n")}\n`;
}
