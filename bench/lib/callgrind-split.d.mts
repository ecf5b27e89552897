// Types of callgrind-split.mjs, for the tests that import it.
export interface InstructionSplit { gc: number; jit: number; rest: number }
export declare function splitListing(listing: string, requests: number): InstructionSplit;
export declare function splitInstructions(file: string, requests: number): InstructionSplit | undefined;
