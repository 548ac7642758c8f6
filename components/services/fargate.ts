// The CPU/memory combinations Fargate accepts, from
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
import { fail } from "../common/validation";

const range = (from: number, to: number, step: number) => Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);

/** CPU units → allowed memory in MiB. */
export const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = {
    256: [512, 1024, 2048],
    512: range(1024, 4096, 1024),
    1024: range(2048, 8192, 1024),
    2048: range(4096, 16384, 1024),
    4096: range(8192, 30720, 1024),
    8192: range(16384, 61440, 4096),
    16384: range(32768, 122880, 8192),
};

export function checkFargateSize(cpuKey: string, memoryKey: string, cpu: number, memory: number): void {
    const memories = FARGATE_SIZES[cpu];
    if (!memories) {
        fail(cpuKey, cpu, `must be a Fargate CPU size: ${Object.keys(FARGATE_SIZES).join(", ")}`);
    }
    if (!memories.includes(memory)) {
        const [lo, hi] = [memories[0], memories[memories.length - 1]];
        fail(
            memoryKey,
            memory,
            `must be one Fargate allows with ${cpu} CPU units: ${lo}–${hi} MiB (${memories.length <= 3 ? memories.join(", ") : `steps of ${memories[1] - memories[0]}`})`,
        );
    }
}
