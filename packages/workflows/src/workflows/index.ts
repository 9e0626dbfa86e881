// Entry point of the workflow bundle: every workflow the control-plane worker runs.
export { ProbeNodeWorkflow } from "./probe-node.js"
