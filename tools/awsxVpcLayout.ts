// The children awsx creates inside an `awsx:ec2:Vpc`, derived from its arguments. awsx components
// are remote: under mocks only the Vpc itself is registered, so without this a reviewer would see
// no subnet, route or NAT gateway change in the plan or the snapshot. The derivation follows awsx's
// "Auto" subnet strategy (awsx/ec2/subnetDistributorNew.ts, vpc.ts at 3.x): one block per AZ, the
// subnet specs laid out in order inside it, names "<vpc>-<type>-<az number>", NAT gateways and
// their Elastic IPs "<vpc>-<az number>", one route table per subnet. With a NAT instance the Vpc
// gets the strategy "None" (no gateway, no private default route from awsx); the instance's routes
// into the private route tables are our own resources (NatInstance), registered and shown as such.
import { RegisteredResource } from "./offlineStack";

export interface DerivedResource {
    type: string;
    name: string;
    /** The inputs awsx gives it (the ones a reviewer cares about). */
    inputs: Record<string, unknown>;
}

const toInt = (ip: string) => ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
const size = (mask: number) => 2 ** (32 - mask);

/** The next block of `mask` after the block [start, start + previousSize), as awsx's nextNetmask. */
function nextBlock(start: number, previousSize: number, mask: number): number {
    const last = start + previousSize - 1;
    return Math.floor(last / size(mask)) * size(mask) + size(mask);
}

export function deriveVpcChildren(vpc: Pick<RegisteredResource, "name" | "inputs">): DerivedResource[] {
    const i = vpc.inputs;
    const name = vpc.name;
    const azs: string[] = i.availabilityZoneNames ?? Array.from({ length: i.numberOfAvailabilityZones ?? 3 }, (_, n) => `(zone ${n + 1})`);
    const [base, prefix] = String(i.cidrBlock ?? "10.0.0.0/16").split("/");
    const azMask = Number(prefix) + Math.ceil(Math.log2(azs.length));
    const strategy: string = i.natGateways?.strategy ?? "OnePerAz";
    const specs: { type: string; cidrMask: number }[] = i.subnetSpecs ?? [];
    const out: DerivedResource[] = [
        {
            type: "aws:ec2/vpc:Vpc",
            name,
            inputs: { cidrBlock: i.cidrBlock, enableDnsHostnames: i.enableDnsHostnames, enableDnsSupport: i.enableDnsSupport },
        },
        { type: "aws:ec2/internetGateway:InternetGateway", name, inputs: {} },
    ];
    const nat: string[] = [];
    azs.forEach((az, azIndex) => {
        const azNumber = azIndex + 1;
        let start = toInt(base) + azIndex * size(azMask);
        let previous = 0;
        const subnets = specs.map((spec, specIndex) => {
            start = specIndex === 0 ? start : nextBlock(start, previous, spec.cidrMask);
            previous = size(spec.cidrMask);
            return {
                type: spec.type,
                cidrBlock: `${toIp(start)}/${spec.cidrMask}`,
                subnetName: `${name}-${spec.type.toLowerCase()}-${azNumber}`,
            };
        });
        // awsx creates public subnets first, so a private route can name the NAT gateway.
        for (const subnet of [...subnets].sort((a, b) => rank(a.type) - rank(b.type))) {
            const n = subnet.subnetName;
            out.push(
                {
                    type: "aws:ec2/subnet:Subnet",
                    name: n,
                    inputs: { availabilityZone: az, cidrBlock: subnet.cidrBlock, mapPublicIpOnLaunch: subnet.type === "Public" },
                },
                { type: "aws:ec2/routeTable:RouteTable", name: n, inputs: {} },
                { type: "aws:ec2/routeTableAssociation:RouteTableAssociation", name: n, inputs: { subnet: n } },
            );
            if (subnet.type === "Public") {
                if (strategy === "OnePerAz" || (strategy === "Single" && nat.length === 0)) {
                    const natName = `${name}-${azNumber}`;
                    nat.push(natName);
                    out.push(
                        { type: "aws:ec2/eip:Eip", name: natName, inputs: {} },
                        { type: "aws:ec2/natGateway:NatGateway", name: natName, inputs: { subnet: n } },
                    );
                }
                out.push({
                    type: "aws:ec2/route:Route",
                    name: n,
                    inputs: { destinationCidrBlock: "0.0.0.0/0", gateway: `internet gateway ${name}` },
                });
            } else if (subnet.type === "Private" && strategy !== "None") {
                const via = strategy === "Single" ? nat[0] : nat[azIndex];
                out.push({ type: "aws:ec2/route:Route", name: n, inputs: { destinationCidrBlock: "0.0.0.0/0", natGateway: via } });
            }
        }
    });
    return out;
}

const rank = (type: string) => ["Public", "Private", "Isolated"].indexOf(type);
