/** Every curated file and the schema it is read with (the tests check each file of curated/ against its entry). */
import { PROVIDER_SCHEMA, REGION_SCHEMA } from "./cloud-regions.js";
import type { CuratedSchema } from "./curated.js";
import { COUNTRY_SCHEMA, LAST_MILE_SCHEMA } from "./geography.js";
import { CLASS_SCHEMA, FIGURE_SCHEMA } from "./gpus.js";
import { ELECTRICITY_SCHEMA, GRID_SCHEMA } from "./metros.js";
import { ALIAS_SCHEMA, CORRECTION_SCHEMA } from "./prices.js";
import { EXCLUSION_SCHEMA, SERIES_SCHEMA } from "./token-prices.js";

export const CURATED_SCHEMAS: Readonly<Record<string, CuratedSchema>> = {
	"cloud-providers.csv": PROVIDER_SCHEMA,
	"cloud-regions.csv": REGION_SCHEMA,
	"countries.csv": COUNTRY_SCHEMA,
	"electricity.csv": ELECTRICITY_SCHEMA,
	"gpu-count-corrections.csv": CORRECTION_SCHEMA,
	"gpu-figures.csv": FIGURE_SCHEMA,
	"gpus.csv": CLASS_SCHEMA,
	"grid-rules.csv": GRID_SCHEMA,
	"last-mile.csv": LAST_MILE_SCHEMA,
	"provider-aliases.csv": ALIAS_SCHEMA,
	"token-exclusions.csv": EXCLUSION_SCHEMA,
	"token-series.csv": SERIES_SCHEMA,
};
