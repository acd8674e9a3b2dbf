// The world map's shapes, computed once from the bundled Natural Earth TopoJSON (no tiles,
// no network): country fills, internal borders, a graticule, and the projection for markers.
import { geoGraticule10, geoNaturalEarth1, geoPath, type GeoProjection } from 'd3-geo';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import atlas from 'world-atlas/countries-110m.json';

export const MAP_WIDTH = 960;
const PAD = 10;

type Countries = GeometryCollection<{ name: string }>;

export interface WorldShapes {
  width: number;
  height: number;
  land: string;
  borders: string;
  graticule: string;
  outline: string;
  project(lon: number, lat: number): [number, number] | null;
}

let cached: WorldShapes | null = null;

export function worldShapes(): WorldShapes {
  if (cached) return cached;
  const topo = atlas as unknown as Topology<{ countries: Countries }>;
  const all = feature(topo, topo.objects.countries) as FeatureCollection<
    Geometry,
    { name: string }
  >;
  // Antarctica has no regions and would take a fifth of the height.
  const shown: FeatureCollection<Geometry, { name: string }> = {
    type: 'FeatureCollection',
    features: all.features.filter((f: Feature) => f.id !== '010'),
  };
  const projection: GeoProjection = geoNaturalEarth1().fitWidth(MAP_WIDTH - 2 * PAD, shown);
  const path = geoPath(projection);
  const [[, y0], [, y1]] = path.bounds(shown);
  projection.translate([projection.translate()[0] + PAD, projection.translate()[1] - y0 + PAD]);
  const height = Math.ceil(y1 - y0 + 2 * PAD);
  cached = {
    width: MAP_WIDTH,
    height,
    land: path(shown) ?? '',
    borders: path(mesh(topo, topo.objects.countries, (a, b) => a !== b)) ?? '',
    graticule: path(geoGraticule10()) ?? '',
    outline: path({ type: 'Sphere' }) ?? '',
    project: (lon, lat) => projection([lon, lat]),
  };
  return cached;
}
