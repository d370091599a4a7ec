export { FormDrafts, isComplete, type Draft, type DraftDetail } from './drafts.js';
export { FormFiller } from './filler.js';
export { formRoutes, type FormRoutesOptions } from './routes.js';
export { FIELD_TYPES, formSpecSchema, loadFormSpecs, parseFormSpec, type FieldSpec, type FormSpec, type FormSpecs } from './spec.js';
export { validateIdNumber } from './id-number.js';
export { validatePhone, validateMobile, validateLandline } from './phone.js';
