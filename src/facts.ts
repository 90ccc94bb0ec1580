// The vendor's facts generated from the spec (generated/vendor-facts.ts: the enums, PRODUCT_ID,
// the caps, the callbacks), as the `callbot-contract/facts` entry: the same tables as the main
// entry, without the client and validators, for code that must start fast (the command's help
// texts are built from them; callbot-cli bundles this entry into its bin).
export * from '../generated/vendor-facts.js';
