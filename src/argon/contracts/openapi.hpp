#pragma once
// The Bot API as an OpenAPI 3.1 document, generated from the same descriptors as the route table
// and the contract hashes (contracts.hpp): no route or schema is written twice. Served at
// GET /api/bot/openapi.json and printed by `argon contracts openapi`.
#include <boost/json/value.hpp>
#include <string>

#include "argon/contracts/contracts.hpp"

namespace argon::contracts {

// Every route at /api/bot/{Interface}/v{N}/{Method} (the short form without /api/bot answers
// too, as info.description says), the component schemas of every declared type, the error
// responses, the `Bot` security scheme and the SSE stream with its 28 event payloads.
boost::json::value openapi_document();

// "#/components/schemas/SendMessageRequest" for a declared type (its wire type if it has one).
std::string openapi_schema_ref(const TypeDecl& type);
// The operationId of a route: "IMessages_v1_Send".
std::string openapi_operation_id(const InterfaceDecl& iface, const RouteDecl& route);

}  // namespace argon::contracts
