//! The JSON API at `<base>/api/v1/`: the same operations as the web, for programs, with bearer tokens and an OpenAPI document generated from its own types.
