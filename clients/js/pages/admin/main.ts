// The admin dashboard (/admin): built on the notifications hub's live stats and the admin REST API (issue 5).
export {};
