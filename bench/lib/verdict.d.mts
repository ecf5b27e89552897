// Types of verdict.mjs, for the tests that import it.
export declare const EXIT: { ok: 0; missed: 1; usage: 2; crashed: 70 };
export interface Tool { package: string; why: string }
export declare const TOOLS: Record<string, Tool>;
export declare const REQUIRES: Record<string, string[]>;
export interface Target { name: string; value: unknown; ok?: boolean }
export type Store = Record<string, { targets?: Target[] } | undefined>;
export interface MissingTool extends Tool { tool: string; neededBy: string[] }
export declare function isInstalled(tool: string, path?: string): boolean;
export declare function missingTools(benches: readonly string[], installed?: (tool: string) => boolean): MissingTool[];
export declare function describeMissing(missing: readonly MissingTool[]): string;
export declare function missedTargets(store: Store, benches: readonly string[]): { bench: string; name: string; value: string }[];
export declare function verdict(store: Store, benches: readonly string[]): { code: number; text: string };
