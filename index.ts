import { deployServekit } from "./program";

// Pulumi runs an exported async function and uses its result as the stack outputs.
export = deployServekit;
