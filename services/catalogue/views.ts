import { Type } from '@sinclair/typebox';
import { Uuid } from '@aptic/contracts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const OfferView = Type.Object({
  id: Uuid,
  placeId: Uuid,
  serviceCode: Type.String(),
  categoryCode: Type.String(),
  priceCents: Type.Integer(),
  durationMinutes: Type.Integer(),
  group: Type.Boolean(),
  replaces: Nullable(Uuid),
  publishedAt: Type.String(),
  withdrawnAt: Nullable(Type.String()),
  publishedBy: Type.String(),
});

export const PlaceView = Type.Object({
  id: Uuid,
  nationalId: Nullable(Type.String()),
  source: Type.String(),
  status: Type.String(),
  name: Type.String(),
  type: Type.String(),
  communeCode: Nullable(Type.String()),
  communeName: Type.String(),
  departementCode: Type.String(),
  postalCode: Nullable(Type.String()),
  address: Nullable(Type.String()),
  latitude: Nullable(Type.Number()),
  longitude: Nullable(Type.Number()),
  positionSource: Nullable(Type.String()),
  openingHours: Nullable(Type.String()),
  arrondissementCode: Nullable(Type.String()),
  sourceName: Nullable(Type.String()),
  sourceDate: Nullable(Type.String()),
  openData: Type.Record(Type.String(), Type.String()),
  warnings: Type.Array(Type.Object({ code: Type.String(), message: Type.String() })),
});

export const ImportReportView = Type.Object({
  rows: Type.Integer(),
  kept: Type.Integer(),
  merged: Type.Integer(),
  changed: Type.Integer(),
  offersPublished: Type.Integer(),
  refused: Type.Array(
    Type.Object({
      row: Type.Integer(),
      id: Nullable(Type.String()),
      code: Type.String(),
      message: Type.String(),
      field: Type.Optional(Type.String()),
    }),
  ),
  warnings: Type.Array(
    Type.Object({ row: Type.Integer(), id: Type.String(), code: Type.String(), message: Type.String() }),
  ),
  ignoredColumns: Type.Array(Type.String()),
});
