-- The practice app's schema and demo data (Idem's own table is created by idem.postgres.create-schema).

CREATE TABLE users (
    id       varchar(32) PRIMARY KEY,
    entitled boolean     NOT NULL
);

CREATE TABLE questions (
    id                int PRIMARY KEY,
    stem              text        NOT NULL,
    correct_choice_id varchar(8)  NOT NULL,
    tags              text[]      NOT NULL
);

CREATE TABLE choices (
    question_id int        NOT NULL REFERENCES questions (id),
    id          varchar(8) NOT NULL,
    label       text       NOT NULL,
    position    int        NOT NULL,
    PRIMARY KEY (question_id, id)
);

CREATE TABLE practice_sessions (
    id           uuid        PRIMARY KEY,
    user_id      varchar(32) NOT NULL REFERENCES users (id),
    question_ids int[]       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    ended_at     timestamptz,
    answered     int,
    correct      int
);

CREATE TABLE attempts (
    id          uuid        PRIMARY KEY,
    session_id  uuid        NOT NULL REFERENCES practice_sessions (id),
    question_id int         NOT NULL REFERENCES questions (id),
    choice_id   varchar(8)  NOT NULL,
    correct     boolean     NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attempts_session ON attempts (session_id);

CREATE TABLE marks (
    session_id  uuid    NOT NULL REFERENCES practice_sessions (id),
    question_id int     NOT NULL REFERENCES questions (id),
    marked      boolean NOT NULL,
    PRIMARY KEY (session_id, question_id)
);

CREATE TABLE bookmarks (
    user_id     varchar(32) NOT NULL REFERENCES users (id),
    question_id int         NOT NULL REFERENCES questions (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, question_id)
);

CREATE TABLE checkout_sessions (
    id                  uuid        PRIMARY KEY,
    user_id             varchar(32) NOT NULL REFERENCES users (id),
    plan                varchar(16) NOT NULL,
    status              varchar(16) NOT NULL,
    gateway_session_id  varchar(255),
    url                 text,
    created_at          timestamptz NOT NULL DEFAULT now()
);
-- BUG-047 / DEBT-078: at most one open checkout per user, whatever keys concurrent requests carry.
CREATE UNIQUE INDEX checkout_sessions_one_open_per_user ON checkout_sessions (user_id) WHERE status = 'open';

CREATE TABLE chat_sessions (
    id         uuid        PRIMARY KEY,
    user_id    varchar(32) NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- P2 #5253: every message has a key (the client's or a server-generated one); duplicates cannot be stored.
CREATE TABLE chat_messages (
    id              uuid        PRIMARY KEY,
    session_id      uuid        NOT NULL REFERENCES chat_sessions (id),
    content         text        NOT NULL,
    idempotency_key varchar(64) NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT chat_messages_session_key UNIQUE (session_id, idempotency_key)
);

INSERT INTO users (id, entitled) VALUES ('alice', true), ('bob', true), ('carol', false);

INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (1, 'What is the capital of France?', 'c', ARRAY['geography']);
INSERT INTO choices (question_id, id, label, position) VALUES (1, 'a', 'Nice', 0), (1, 'b', 'Lyon', 1), (1, 'c', 'Paris', 2), (1, 'd', 'Marseille', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (2, 'What is the capital of Japan?', 'd', ARRAY['geography']);
INSERT INTO choices (question_id, id, label, position) VALUES (2, 'a', 'Osaka', 0), (2, 'b', 'Kyoto', 1), (2, 'c', 'Nagoya', 2), (2, 'd', 'Tokyo', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (3, 'What is the capital of Canada?', 'b', ARRAY['geography']);
INSERT INTO choices (question_id, id, label, position) VALUES (3, 'a', 'Toronto', 0), (3, 'b', 'Ottawa', 1), (3, 'c', 'Vancouver', 2), (3, 'd', 'Montreal', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (4, 'What is the capital of Australia?', 'c', ARRAY['geography']);
INSERT INTO choices (question_id, id, label, position) VALUES (4, 'a', 'Perth', 0), (4, 'b', 'Melbourne', 1), (4, 'c', 'Canberra', 2), (4, 'd', 'Sydney', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (5, 'What is the capital of Brazil?', 'b', ARRAY['geography']);
INSERT INTO choices (question_id, id, label, position) VALUES (5, 'a', 'São Paulo', 0), (5, 'b', 'Brasília', 1), (5, 'c', 'Rio de Janeiro', 2), (5, 'd', 'Salvador', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (6, 'What is the capital of Kenya?', 'c', ARRAY['geography']);
INSERT INTO choices (question_id, id, label, position) VALUES (6, 'a', 'Kisumu', 0), (6, 'b', 'Nakuru', 1), (6, 'c', 'Nairobi', 2), (6, 'd', 'Mombasa', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (7, 'What is the capital of Norway?', 'd', ARRAY['geography']);
INSERT INTO choices (question_id, id, label, position) VALUES (7, 'a', 'Bergen', 0), (7, 'b', 'Stavanger', 1), (7, 'c', 'Trondheim', 2), (7, 'd', 'Oslo', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (8, 'What is the capital of Turkey?', 'b', ARRAY['geography']);
INSERT INTO choices (question_id, id, label, position) VALUES (8, 'a', 'Bursa', 0), (8, 'b', 'Ankara', 1), (8, 'c', 'Izmir', 2), (8, 'd', 'Istanbul', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (9, 'What is the capital of Morocco?', 'c', ARRAY['geography']);
INSERT INTO choices (question_id, id, label, position) VALUES (9, 'a', 'Casablanca', 0), (9, 'b', 'Marrakesh', 1), (9, 'c', 'Rabat', 2), (9, 'd', 'Fes', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (10, 'What is the capital of Switzerland?', 'd', ARRAY['geography']);
INSERT INTO choices (question_id, id, label, position) VALUES (10, 'a', 'Zurich', 0), (10, 'b', 'Basel', 1), (10, 'c', 'Geneva', 2), (10, 'd', 'Bern', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (11, 'What is the capital of New Zealand?', 'b', ARRAY['geography']);
INSERT INTO choices (question_id, id, label, position) VALUES (11, 'a', 'Hamilton', 0), (11, 'b', 'Wellington', 1), (11, 'c', 'Auckland', 2), (11, 'd', 'Christchurch', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (12, 'What is 7 × 8?', 'd', ARRAY['math','arithmetic']);
INSERT INTO choices (question_id, id, label, position) VALUES (12, 'a', '66', 0), (12, 'b', '57', 1), (12, 'c', '54', 2), (12, 'd', '56', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (13, 'What is 6 × 9?', 'c', ARRAY['math','arithmetic']);
INSERT INTO choices (question_id, id, label, position) VALUES (13, 'a', '64', 0), (13, 'b', '52', 1), (13, 'c', '54', 2), (13, 'd', '55', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (14, 'What is 12 × 12?', 'c', ARRAY['math','arithmetic']);
INSERT INTO choices (question_id, id, label, position) VALUES (14, 'a', '145', 0), (14, 'b', '154', 1), (14, 'c', '144', 2), (14, 'd', '142', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (15, 'What is 9 × 7?', 'd', ARRAY['math','arithmetic']);
INSERT INTO choices (question_id, id, label, position) VALUES (15, 'a', '64', 0), (15, 'b', '73', 1), (15, 'c', '61', 2), (15, 'd', '63', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (16, 'What is 8 × 8?', 'a', ARRAY['math','arithmetic']);
INSERT INTO choices (question_id, id, label, position) VALUES (16, 'a', '64', 0), (16, 'b', '65', 1), (16, 'c', '62', 2), (16, 'd', '74', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (17, 'What is 11 × 13?', 'a', ARRAY['math','arithmetic']);
INSERT INTO choices (question_id, id, label, position) VALUES (17, 'a', '143', 0), (17, 'b', '153', 1), (17, 'c', '144', 2), (17, 'd', '141', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (18, 'What is 15 × 4?', 'b', ARRAY['math','arithmetic']);
INSERT INTO choices (question_id, id, label, position) VALUES (18, 'a', '70', 0), (18, 'b', '60', 1), (18, 'c', '61', 2), (18, 'd', '58', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (19, 'What is 14 × 6?', 'b', ARRAY['math','arithmetic']);
INSERT INTO choices (question_id, id, label, position) VALUES (19, 'a', '94', 0), (19, 'b', '84', 1), (19, 'c', '82', 2), (19, 'd', '85', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (20, 'What is 25 × 4?', 'd', ARRAY['math','arithmetic']);
INSERT INTO choices (question_id, id, label, position) VALUES (20, 'a', '110', 0), (20, 'b', '101', 1), (20, 'c', '98', 2), (20, 'd', '100', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (21, 'What is 13 × 7?', 'a', ARRAY['math','arithmetic']);
INSERT INTO choices (question_id, id, label, position) VALUES (21, 'a', '91', 0), (21, 'b', '89', 1), (21, 'c', '92', 2), (21, 'd', '101', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (22, 'Which element has the chemical symbol Au?', 'b', ARRAY['science','chemistry']);
INSERT INTO choices (question_id, id, label, position) VALUES (22, 'a', 'Silver', 0), (22, 'b', 'Gold', 1), (22, 'c', 'Aluminium', 2), (22, 'd', 'Argon', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (23, 'Which element has the chemical symbol Fe?', 'd', ARRAY['science','chemistry']);
INSERT INTO choices (question_id, id, label, position) VALUES (23, 'a', 'Fermium', 0), (23, 'b', 'Fluorine', 1), (23, 'c', 'Francium', 2), (23, 'd', 'Iron', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (24, 'Which element has the chemical symbol Na?', 'b', ARRAY['science','chemistry']);
INSERT INTO choices (question_id, id, label, position) VALUES (24, 'a', 'Neon', 0), (24, 'b', 'Sodium', 1), (24, 'c', 'Nickel', 2), (24, 'd', 'Nitrogen', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (25, 'Which element has the chemical symbol K?', 'b', ARRAY['science','chemistry']);
INSERT INTO choices (question_id, id, label, position) VALUES (25, 'a', 'Calcium', 0), (25, 'b', 'Potassium', 1), (25, 'c', 'Krypton', 2), (25, 'd', 'Phosphorus', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (26, 'Which element has the chemical symbol Pb?', 'd', ARRAY['science','chemistry']);
INSERT INTO choices (question_id, id, label, position) VALUES (26, 'a', 'Polonium', 0), (26, 'b', 'Platinum', 1), (26, 'c', 'Palladium', 2), (26, 'd', 'Lead', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (27, 'Which element has the chemical symbol Hg?', 'a', ARRAY['science','chemistry']);
INSERT INTO choices (question_id, id, label, position) VALUES (27, 'a', 'Mercury', 0), (27, 'b', 'Helium', 1), (27, 'c', 'Holmium', 2), (27, 'd', 'Hafnium', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (28, 'Which element has the chemical symbol Sn?', 'a', ARRAY['science','chemistry']);
INSERT INTO choices (question_id, id, label, position) VALUES (28, 'a', 'Tin', 0), (28, 'b', 'Sulfur', 1), (28, 'c', 'Selenium', 2), (28, 'd', 'Strontium', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (29, 'Which element has the chemical symbol Ag?', 'd', ARRAY['science','chemistry']);
INSERT INTO choices (question_id, id, label, position) VALUES (29, 'a', 'Argon', 0), (29, 'b', 'Gold', 1), (29, 'c', 'Arsenic', 2), (29, 'd', 'Silver', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (30, 'Which HTTP method is idempotent by definition?', 'b', ARRAY['cs','http']);
INSERT INTO choices (question_id, id, label, position) VALUES (30, 'a', 'POST', 0), (30, 'b', 'PUT', 1), (30, 'c', 'PATCH', 2), (30, 'd', 'CONNECT', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (31, 'Which HTTP status means Unprocessable Content?', 'd', ARRAY['cs','http']);
INSERT INTO choices (question_id, id, label, position) VALUES (31, 'a', '415', 0), (31, 'b', '409', 1), (31, 'c', '400', 2), (31, 'd', '422', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (32, 'Which header carries an idempotency key in the IETF draft?', 'a', ARRAY['cs','http']);
INSERT INTO choices (question_id, id, label, position) VALUES (32, 'a', 'Idempotency-Key', 0), (32, 'b', 'X-Request-Id', 1), (32, 'c', 'If-Match', 2), (32, 'd', 'Retry-After', 3);
INSERT INTO questions (id, stem, correct_choice_id, tags) VALUES (33, 'Which SQL clause makes an INSERT skip duplicates in PostgreSQL?', 'c', ARRAY['cs','http']);
INSERT INTO choices (question_id, id, label, position) VALUES (33, 'a', 'WHERE NOT EXISTS ROW', 0), (33, 'b', 'IGNORE DUPLICATES', 1), (33, 'c', 'ON CONFLICT DO NOTHING', 2), (33, 'd', 'MERGE ONLY', 3);
