// Descriptors: IMessages/v1, IReactions/v1, IInteractions/v1, ITyping/v1.
#include "argon/contracts/descriptors.hpp"

namespace argon::contracts::detail {
namespace {

using namespace clr;
TypeRef s(std::string_view v) {
  return named(std::string(v));
}
std::string nested(const char* container, const char* name) {
  return std::string(kInterfacesNs) + container + "+" + name;
}

ErrorDecl interaction_not_found() {
  return {404, "interaction_not_found", "Interaction does not exist or has expired."};
}

void add_messages(Descriptors& d) {
  d.types.push_back(class_type("SendMessageRequest", nested("MessagesV1", "SendMessageRequest"),
                               {{"ChannelId", s(kGuid)},
                                {"Text", s(kString)},
                                {"Entities", list_of("IMessageEntity")},
                                {"RandomId", s(kLong)},
                                {"ReplyTo", nullable("long")},
                                {"Controls", list_of("ControlRowV1")}}));
  d.types.push_back(class_type("SendMessageResponse", nested("MessagesV1", "SendMessageResponse"),
                               {{"MessageId", s(kLong)}}));
  d.types.push_back(class_type("MessageDto", nested("MessagesV1", "MessageDto"),
                               {{"MessageId", s(kLong)},
                                {"ChannelId", s(kGuid)},
                                {"SpaceId", s(kGuid)},
                                {"Text", s(kString)},
                                {"Entities", list_of("IMessageEntity")},
                                {"CreatorId", s(kGuid)},
                                {"CreatedAt", s(kDateTimeOffset)},
                                {"ReplyTo", nullable("long")},
                                {"Controls", list_of("ControlRowV1")},
                                // 1.8.0: re-pinned IMessages without a version bump (UPSTREAM §2.5)
                                {"Reactions", list_of("ReactionDto")}}));
  d.types.push_back(class_type("MessageHistoryResponse",
                               nested("MessagesV1", "MessageHistoryResponse"),
                               {{"Messages", list_of("MessageDto")}}));

  InterfaceDecl i;
  i.name = "IMessages";
  i.version = 1;
  i.description = "Send messages and retrieve message history from channels.";
  // 1.7.0 declared 2885642024b3…; 1.8.0 re-pinned it when History messages gained `reactions`.
  i.declared_hash = "bd1b0ab376c3db85c5c8932b02b13938e0e6de5e69662afc928869bf3b54eba6";
  i.rate_limit_per_minute = 120;
  i.routes = {
      {.method = "GET",
       .name = "History",
       .description = "Gets message history for a channel. Pass channelId as a query parameter. "
                      "Supports pagination via from (message ID) and limit "
                      "(1–100, default 50).",
       .permission = RoutePermission::ReadMessages,
       .response_type = "MessageHistoryResponse",
       .errors = {not_a_member()},
       .query = {{"channelId", named("Guid"), true},
                 {"from", named("long"), false},
                 {"limit", named("int"), false}}},
      {.method = "POST",
       .name = "Send",
       .description = "Sends a text message to a channel. Include a unique randomId for "
                      "deduplication. Optionally reply to another message via replyTo.",
       .permission = RoutePermission::SendMessages,
       .request_type = "SendMessageRequest",
       .response_type = "SendMessageResponse",
       .errors = {not_a_member()}},
  };
  d.interfaces.push_back(std::move(i));
}

// IReactions/v1 (Bot API 1.8.0, UPSTREAM.md §2.1). ReactionDto is the route-side name of
// BotReactionV1 (types_dtos.cpp): the same three fields.
void add_reactions(Descriptors& d) {
  const char* c = "ReactionsV1";
  d.types.push_back(
      class_type("ReactionDto", "",
                 {{"Emoji", s(kString)}, {"Count", s(kInt)}, {"UserIds", list_of("Guid")}}));
  d.types.back().description = "The same as BotReactionV1 (the manifest's DTO name).";
  d.types.push_back(
      class_type("AddReactionRequest", nested(c, "AddReactionRequest"),
                 {{"ChannelId", s(kGuid)}, {"MessageId", s(kLong)}, {"Emoji", s(kString)}}));
  d.types.push_back(
      class_type("RemoveReactionRequest", nested(c, "RemoveReactionRequest"),
                 {{"ChannelId", s(kGuid)}, {"MessageId", s(kLong)}, {"Emoji", s(kString)}}));
  d.types.push_back(class_type("ListReactionsResponse", nested(c, "ListReactionsResponse"),
                               {{"Reactions", list_of("ReactionDto")}}));
  d.types.push_back(class_type("BatchGetReactionsRequest", nested(c, "BatchGetReactionsRequest"),
                               {{"ChannelId", s(kGuid)}, {"MessageIds", list_of("long")}}));
  d.types.push_back(class_type("MessageReactionsDto", "",
                               {{"MessageId", s(kLong)}, {"Reactions", list_of("ReactionDto")}}));
  d.types.push_back(class_type("BatchGetReactionsResponse", nested(c, "BatchGetReactionsResponse"),
                               {{"Messages", list_of("MessageReactionsDto")}}));

  const ErrorDecl message_not_found{404, "message_not_found",
                                    "Message does not exist in this channel."};
  InterfaceDecl i;
  i.name = "IReactions";
  i.version = 1;
  i.description = "Add and remove emoji reactions on messages.";
  i.declared_hash = "a192cbc985de63a76e4a7cd0413a774327a667ba5d44cf9eb81c579f448e7807";
  i.rate_limit_per_minute = 60;  // changelog 1.8.0; not in the manifest policies (UPSTREAM §2.6)
  i.routes = {
      {.method = "POST",
       .name = "Add",
       .description = "Adds a reaction to a message. Each user can react once per emoji. Maximum "
                      "20 unique emoji per message.",
       .permission = RoutePermission::AddReactions,
       .request_type = "AddReactionRequest",
       .errors = {{403, "insufficient_permissions",
                   "Bot does not have the AddReactions permission."},
                  not_a_member(),
                  message_not_found,
                  {409, "already_reacted", "Bot has already reacted with this emoji."},
                  {422, "reaction_limit_reached", "Maximum 20 unique emoji per message."}}},
      {.method = "POST",
       .name = "BatchGet",
       .description = "Returns current reactions for up to 50 messages in a single channel. "
                      "Ideal for refreshing visible messages after reconnect.",
       .request_type = "BatchGetReactionsRequest",
       .response_type = "BatchGetReactionsResponse"},
      {.method = "GET",
       .name = "List",
       .description = "Lists all reactions on a message. Returns emoji, count, and a preview of "
                      "user IDs (up to 3).",
       .response_type = "ListReactionsResponse",
       .errors = {message_not_found},
       .query = {{"channelId", named("Guid"), true}, {"messageId", named("long"), true}}},
      {.method = "DELETE",
       .name = "Remove",
       .description = "Removes the bot's reaction from a message. Only the bot's own reaction "
                      "can be removed.",
       .request_type = "RemoveReactionRequest",
       .errors = {message_not_found,
                  {404, "reaction_not_found", "Bot has not reacted with this emoji."}}},
  };
  d.interfaces.push_back(std::move(i));
}

void add_interactions(Descriptors& d) {
  const char* c = "InteractionsV1";
  d.types.push_back(
      class_type("AckRequest", nested(c, "AckRequest"), {{"InteractionId", s(kGuid)}}));
  d.types.push_back(
      class_type("DeferRequest", nested(c, "DeferRequest"), {{"InteractionId", s(kGuid)}}));
  d.types.push_back(class_type("EditMessageRequest", nested(c, "EditMessageRequest"),
                               {{"ChannelId", s(kGuid)},
                                {"MessageId", s(kLong)},
                                {"Text", s(kString)},
                                {"Controls", list_of("ControlRowV1")}}));
  d.types.push_back(
      class_type("ModalRequest", nested(c, "ModalRequest"),
                 {{"InteractionId", s(kGuid)}, {"Modal", named("ModalDefinitionV1")}}));
  d.types.push_back(
      class_type("ModalResponse", nested(c, "ModalResponse"), {{"ModalInteractionId", s(kGuid)}}));
  d.types.push_back(class_type("ReplyRequest", nested(c, "ReplyRequest"),
                               {{"ChannelId", s(kGuid)},
                                {"Text", s(kString)},
                                {"Entities", list_of("IMessageEntity")},
                                {"RandomId", s(kLong)},
                                {"ReplyTo", nullable("long")},
                                {"Controls", list_of("ControlRowV1")}}));
  d.types.push_back(
      class_type("ReplyResponse", nested(c, "ReplyResponse"), {{"MessageId", s(kLong)}}));

  InterfaceDecl i;
  i.name = "IInteractions";
  i.version = 1;
  i.description =
      "Respond to slash-command, control, and select interactions. Supports ack, defer, modal, "
      "reply, and edit.";
  i.declared_hash = "3a08148ef4f12b63d7b58dbda29862a91ee4d09789d33f504910071fe527117f";
  i.rate_limit_per_minute = 120;
  i.routes = {
      {.method = "POST",
       .name = "Ack",
       .description = "Acknowledge an interaction. The client shows a brief confirmation.",
       .request_type = "AckRequest",
       .errors = {interaction_not_found()}},
      {.method = "POST",
       .name = "Defer",
       .description =
           "Defer an interaction. The client shows a loading state until the bot follows up.",
       .request_type = "DeferRequest",
       .errors = {interaction_not_found()}},
      {.method = "PATCH",
       .name = "EditMessage",
       .description = "Edit the text or controls of a message previously sent by this bot.",
       .request_type = "EditMessageRequest",
       .errors = {{404, "message_not_found",
                   "Message does not exist or was not sent by this bot."}}},
      {.method = "POST",
       .name = "Modal",
       .description = "Show a modal dialog to the user who triggered the interaction.",
       .request_type = "ModalRequest",
       .response_type = "ModalResponse",
       .errors = {{400, "validation_error", "Modal definition is invalid."},
                  interaction_not_found()}},
      {.method = "POST",
       .name = "Reply",
       .description = "Reply to an interaction by sending a message to the channel. Optionally "
                      "reply to a specific message via replyTo.",
       .request_type = "ReplyRequest",
       .response_type = "ReplyResponse",
       .errors = {not_a_member()}},
  };
  d.interfaces.push_back(std::move(i));
}

void add_typing(Descriptors& d) {
  d.types.push_back(class_type("SendTypingRequest", nested("TypingV1", "SendTypingRequest"),
                               {{"ChannelId", s(kGuid)}, {"Kind", s(kString)}}));
  d.types.push_back(class_type("StopTypingRequest", nested("TypingV1", "StopTypingRequest"),
                               {{"ChannelId", s(kGuid)}}));

  InterfaceDecl i;
  i.name = "ITyping";
  i.version = 1;
  i.description =
      "Send typing indicators to channels. Typing status automatically expires after 8 seconds.";
  i.declared_hash = "1665131832ec0d80955b84f0c1508d9ee8c83332b1c012885d2c79b5ac166c21";
  i.rate_limit_per_minute = 60;  // changelog 1.5.0; not in the manifest policies (DECISIONS §8)
  i.routes = {
      {.method = "POST",
       .name = "Start",
       .description = "Triggers a typing indicator in a channel. The indicator auto-expires after "
                      "8 seconds. Call repeatedly to keep it active. Supported kinds: typing, "
                      "thinking, uploading, searching.",
       .permission = RoutePermission::SendMessages,
       .request_type = "SendTypingRequest",
       .errors = {not_a_member()}},
      {.method = "POST",
       .name = "Stop",
       .description = "Explicitly stops the typing indicator in a channel. Optional — "
                      "the indicator expires automatically after 8 seconds.",
       .request_type = "StopTypingRequest",
       .errors = {not_a_member()}},
  };
  d.interfaces.push_back(std::move(i));
}

}  // namespace

void add_message_interfaces(Descriptors& d) {
  add_messages(d);
  add_reactions(d);
  add_interactions(d);
  add_typing(d);
}

}  // namespace argon::contracts::detail
