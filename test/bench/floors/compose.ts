import { cpus } from 'node:os';

/** One part of a path measured alone: its rate and the CPU each unit cost every process involved. */
export interface FloorPart {
  perSecond: number;
  /** CPU ms per unit, by role (the processes doing the work). */
  cpuMsPerUnit: Record<string, number>;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/**
 * The physical floor of a path made of parts that each unit of work must go through: their serial
 * rate (one after the other, 1 / Σ 1/rate) and their CPU ceiling (this machine's cores divided by
 * the CPU a unit costs all parts together: what the path could reach if nothing but CPU limited it).
 */
export function composeFloor<Name extends string>(parts: Record<Name, FloorPart>) {
  const all = Object.values<FloorPart>(parts);
  const cpuMsPerUnit = sum(all.map((p) => sum(Object.values(p.cpuMsPerUnit))));
  return {
    parts: Object.fromEntries(
      Object.entries<FloorPart>(parts).map(([name, p]) => [name, { ...p, perSecond: Math.round(p.perSecond) }]),
    ) as Record<Name, FloorPart>,
    serialPerSecond: Math.round(1 / sum(all.map((p) => 1 / p.perSecond))),
    cpuMsPerUnit: Number(cpuMsPerUnit.toFixed(3)),
    cores: cpus().length,
    cpuCeilingPerSecond: Math.round((cpus().length * 1000) / cpuMsPerUnit),
  };
}
