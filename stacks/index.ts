// Entry point of `pulumi up`: the returned object's keys become the stack outputs.
import { program } from "./program";

export = program();
