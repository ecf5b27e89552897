import { describe, expect, it } from "vitest";
import { splitListing } from "../../bench/lib/callgrind-split.mjs";

// Lines as callgrind_annotate prints them for a Node 24 profile of the middleware bench (shortened
// argument lists, counts scaled down).
const LISTING = `--------------------------------------------------------------------------------
Ir             
--------------------------------------------------------------------------------
12,000 (100.0%)  PROGRAM TOTALS

--------------------------------------------------------------------------------
Ir            file:function
--------------------------------------------------------------------------------
2,000 (16.67%)  ???:void v8::internal::MarkingVisitorBase<v8::internal::MainMarkingVisitor>::ProcessStrongHeapObject<v8::internal::FullHeapObjectSlot>(v8::internal::Tagged<v8::internal::HeapObject>) [/node24/bin/node]
1,000 ( 8.33%)  ???:heap::base::SlotCallbackResult v8::internal::Scavenger::ScavengeObject<v8::internal::FullHeapObjectSlot>(v8::internal::FullHeapObjectSlot) [/node24/bin/node]
  600 ( 5.00%)  ???:v8::internal::(anonymous namespace)::RememberedSetUpdatingItem::Process() [/node24/bin/node]
  400 ( 3.33%)  ???:v8::internal::Sweeper::RawSweep(v8::internal::PageMetadata*) [/node24/bin/node]
  900 ( 7.50%)  ???:v8::internal::compiler::GraphReducer::Reduce(v8::internal::compiler::Node*) [/node24/bin/node]
  300 ( 2.50%)  ???:v8::internal::maglev::MaglevGraphBuilder::VisitLdaNamedProperty() [/node24/bin/node]
1,500 (12.50%)  ???:v8::internal::MapUpdater::FindTargetMap() [/node24/bin/node]
1,200 (10.00%)  ???:Builtins_LoadIC [/node24/bin/node]
1,100 ( 9.17%)  ???:0x0000000028102b00 [???]
  500 ( 4.17%)  ???:node::http_parser::Parser::Execute(char const*, unsigned long) [/node24/bin/node]
  300 ( 2.50%)  ???:Builtins_LoadICBaseline [/node24/bin/node]
  200 ( 1.67%)  ???:sha1_block_data_order_avx2 [/node24/bin/node]
`;

describe("splitListing (bench/lib/callgrind-split.mjs)", () => {
  it("puts V8's collector in GC, its compilers in JIT, and running code (JIT output, builtins, Node's C++) in the rest, per request", () => {
    expect(splitListing(LISTING, 100)).toEqual({ gc: 40, jit: 12, rest: 48 });
  });

  it("ignores the totals line and anything that is not a function row", () => {
    expect(splitListing("12,000 (100.0%)  PROGRAM TOTALS\nIr  file:function\n\n", 1)).toEqual({ gc: 0, jit: 0, rest: 0 });
  });
});
