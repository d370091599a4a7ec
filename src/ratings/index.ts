export { Ratings, ratingJson, MAX_COMMENT_CHARS, type RatingInput, type RatingResult, type RatingHooks, type RatingsOptions } from './ratings.js';
export { Followups, type FollowupView, type FollowupFilter, type FollowupStatus } from './followups.js';
export { LEVEL_NAMES, isPoor, RATING_EDIT_WINDOW_MS, type RatingLevel } from './levels.js';
export { ratingRoutes, followupRoutes } from './routes.js';
