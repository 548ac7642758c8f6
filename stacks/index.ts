// Entry point of `pulumi up`: Pulumi runs the exported (async) function; the keys of the object it
// resolves to become the stack outputs.
import { program } from "./program";

export = program;
