#include "argon/domain/controls.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace argon {
namespace {

std::string message(const Status& s) {
  return s.ok() ? "" : s.error().message.value_or("");
}

Control callback(std::string id, std::string label = "Click me") {
  Control c;
  c.type = ControlType::kButton;
  c.variant = ButtonVariant::kCallback;
  c.id = std::move(id);
  c.label = std::move(label);
  return c;
}

Control link(std::string url, std::string label = "Open") {
  Control c;
  c.type = ControlType::kButton;
  c.variant = ButtonVariant::kLink;
  c.url = std::move(url);
  c.label = std::move(label);
  return c;
}

SelectOption option(std::string value, std::string label = "Label") {
  SelectOption o;
  o.label = std::move(label);
  o.value = std::move(value);
  return o;
}

Control select(ControlType type, std::string custom_id) {
  Control c;
  c.type = type;
  c.custom_id = std::move(custom_id);
  if (type == ControlType::kStringSelect) c.options = std::vector<SelectOption>{option("a")};
  return c;
}

std::string check(const Control& c) {
  return message(validate_controls({ControlRow{{c}}}));
}

TEST(ControlsTest, Names) {
  EXPECT_EQ(control_type_name(ControlType::kButton), "button");
  EXPECT_EQ(control_type_name(ControlType::kChannelSelect), "channelSelect");
  EXPECT_EQ(button_variant_name(ButtonVariant::kLink), "link");
  EXPECT_EQ(control_type_names().size(), 5u);
  EXPECT_EQ(button_variant_names().size(), 2u);
}

TEST(ControlsTest, GuideDeployExampleIsValid) {
  Control deploy = callback("deploy_confirm", "\xE2\x9C\x85 Deploy");
  deploy.colour = OklchColor{0.72, 0.19, 142};
  Control cancel = callback("deploy_cancel", "\xE2\x9D\x8C Cancel");
  cancel.colour = OklchColor{0.55, 0.25, 29};
  Control runbook = link("https://wiki.example.com/deploy", "\xF0\x9F\x93\x9A Runbook");
  EXPECT_TRUE(validate_controls({ControlRow{{deploy, cancel, runbook}}}));
}

TEST(ControlsTest, EmptyListIsValid) {
  EXPECT_TRUE(validate_controls({}));
}

TEST(ControlsTest, RowLimits) {
  std::vector<ControlRow> rows;
  for (int i = 0; i < 5; ++i) rows.push_back(ControlRow{{callback("b" + std::to_string(i))}});
  EXPECT_TRUE(validate_controls(rows));
  rows.push_back(ControlRow{{callback("b5")}});
  EXPECT_EQ(message(validate_controls(rows)), "controls: at most 5 rows allowed (got 6)");

  EXPECT_EQ(message(validate_controls({ControlRow{}})),
            "controls[0].controls: a row must contain at least one control");

  ControlRow five;
  for (int i = 0; i < 5; ++i) five.controls.push_back(callback("c" + std::to_string(i)));
  EXPECT_TRUE(validate_controls({five}));
  ControlRow six = five;
  six.controls.push_back(callback("c5"));
  EXPECT_EQ(message(validate_controls({five, six})),
            "controls[1].controls: at most 5 buttons per row allowed (got 6)");
}

TEST(ControlsTest, NoMixingAndOneSelectPerRow) {
  EXPECT_TRUE(validate_controls({ControlRow{{select(ControlType::kUserSelect, "u")}}}));
  EXPECT_EQ(message(validate_controls(
                {ControlRow{{callback("a"), select(ControlType::kUserSelect, "u")}}})),
            "controls[0].controls: a row holds either 1 to 5 buttons or exactly one select");
  EXPECT_EQ(message(validate_controls({ControlRow{{select(ControlType::kUserSelect, "u"),
                                                   select(ControlType::kChannelSelect, "c")}}})),
            "controls[0].controls: a row holds either 1 to 5 buttons or exactly one select");
}

TEST(ControlsTest, IdsUniqueAcrossMessageAndKinds) {
  EXPECT_EQ(message(validate_controls({ControlRow{{callback("x")}}, ControlRow{{callback("x")}}})),
            "controls[1].controls[0].id: duplicate control id \"x\"");
  EXPECT_EQ(message(validate_controls({ControlRow{{callback("x")}},
                                       ControlRow{{select(ControlType::kUserSelect, "x")}}})),
            "controls[1].controls[0].customId: duplicate control id \"x\"");
  EXPECT_TRUE(validate_controls({ControlRow{{callback("x"), link("https://a.example")}},
                                 ControlRow{{link("https://b.example")}}}));
}

TEST(ControlsTest, ButtonLabel) {
  EXPECT_TRUE(validate_controls({ControlRow{{callback("a", std::string(80, 'x'))}}}));
  EXPECT_EQ(check(callback("a", std::string(81, 'x'))),
            "controls[0].controls[0].label: must be at most 80 characters");
  // 80 characters, some multi-byte (counted as code points).
  std::string label;
  for (int i = 0; i < 80; ++i) label += "\xC3\xA9";
  EXPECT_EQ(check(callback("a", label)), "");
  EXPECT_EQ(check(callback("a", "   ")), "controls[0].controls[0].label: must not be blank");
  EXPECT_EQ(check(callback("a", "")), "controls[0].controls[0].label: must not be blank");
  Control no_label = callback("a");
  no_label.label.reset();
  EXPECT_EQ(check(no_label), "controls[0].controls[0].label: required");
}

TEST(ControlsTest, Path) {
  EXPECT_EQ(message(validate_controls(
                {ControlRow{{callback("a")}}, ControlRow{{callback("b", std::string(81, 'y'))}}})),
            "controls[1].controls[0].label: must be at most 80 characters");
}

TEST(ControlsTest, ButtonVariantRequired) {
  Control c = callback("a");
  c.variant.reset();
  EXPECT_EQ(check(c), "controls[0].controls[0].variant: required for buttons");
}

TEST(ControlsTest, CallbackId) {
  EXPECT_EQ(check(callback(std::string(100, 'i'))), "");
  EXPECT_EQ(check(callback(std::string(101, 'i'))),
            "controls[0].controls[0].id: must be at most 100 characters");
  EXPECT_EQ(check(callback(" ")), "controls[0].controls[0].id: must not be blank");
  Control no_id = callback("a");
  no_id.id.reset();
  EXPECT_EQ(check(no_id), "controls[0].controls[0].id: required");
  Control with_url = callback("a");
  with_url.url = "https://example.com";
  EXPECT_EQ(check(with_url), "controls[0].controls[0].url: not allowed on a callback button");
}

TEST(ControlsTest, LinkUrl) {
  EXPECT_EQ(check(link("https://example.com")), "");
  EXPECT_EQ(check(link("http://example.com/x?y#z")), "");
  EXPECT_EQ(check(link("HTTPS://Example.com:8443")), "");
  const std::string prefix = "https://example.com/";
  EXPECT_EQ(check(link(prefix + std::string(512 - prefix.size(), 'p'))), "");
  EXPECT_EQ(check(link(prefix + std::string(513 - prefix.size(), 'p'))),
            "controls[0].controls[0].url: must be at most 512 characters");
  for (const char* bad : {"ftp://example.com", "example.com", "/relative", "https://",
                          "https:///path", "javascript:alert(1)", "https://exa mple.com"}) {
    EXPECT_EQ(check(link(bad)),
              "controls[0].controls[0].url: must be an absolute http or https URL")
        << bad;
  }
  EXPECT_EQ(check(link("  ")), "controls[0].controls[0].url: must not be blank");
  Control no_url = link("https://example.com");
  no_url.url.reset();
  EXPECT_EQ(check(no_url), "controls[0].controls[0].url: required");
  Control with_id = link("https://example.com");
  with_id.id = "x";
  EXPECT_EQ(check(with_id), "controls[0].controls[0].id: not allowed on a link button");
}

TEST(ControlsTest, IsHttpUrl) {
  EXPECT_TRUE(is_http_url("https://user@example.com/"));
  EXPECT_TRUE(is_http_url("http://[::1]:8080/"));
  EXPECT_FALSE(is_http_url("http://[]/"));
  EXPECT_FALSE(is_http_url("http://:80/"));
}

TEST(ControlsTest, ColourRanges) {
  auto with = [](double l, double c, double h) {
    Control b = callback("a");
    b.colour = OklchColor{l, c, h};
    return check(b);
  };
  EXPECT_EQ(with(0.40, 0.00, 0), "");
  EXPECT_EQ(with(0.80, 0.37, 359.999), "");
  EXPECT_EQ(with(0.39, 0.1, 10), "controls[0].controls[0].colour.l: must be between 0.40 and 0.80");
  EXPECT_EQ(with(0.81, 0.1, 10), "controls[0].controls[0].colour.l: must be between 0.40 and 0.80");
  EXPECT_EQ(with(0.5, -0.01, 10),
            "controls[0].controls[0].colour.c: must be between 0.00 and 0.37");
  EXPECT_EQ(with(0.5, 0.38, 10), "controls[0].controls[0].colour.c: must be between 0.00 and 0.37");
  EXPECT_EQ(with(0.5, 0.1, 360),
            "controls[0].controls[0].colour.h: must be at least 0 and less than 360");
  EXPECT_EQ(with(0.5, 0.1, -1),
            "controls[0].controls[0].colour.h: must be at least 0 and less than 360");
  EXPECT_NE(with(std::nan(""), 0.1, 10), "");
}

TEST(ControlsTest, ButtonRejectsSelectFields) {
  Control a = callback("a");
  a.custom_id = "x";
  EXPECT_EQ(check(a), "controls[0].controls[0].customId: not allowed on a button");
  Control b = callback("a");
  b.placeholder = "p";
  EXPECT_EQ(check(b), "controls[0].controls[0].placeholder: not allowed on a button");
  Control c = callback("a");
  c.min_values = 1;
  EXPECT_EQ(check(c), "controls[0].controls[0].minValues: not allowed on a button");
  Control d = callback("a");
  d.max_values = 1;
  EXPECT_EQ(check(d), "controls[0].controls[0].maxValues: not allowed on a button");
  Control e = callback("a");
  e.options = std::vector<SelectOption>{};
  EXPECT_EQ(check(e), "controls[0].controls[0].options: not allowed on a button");
}

TEST(ControlsTest, SelectRejectsButtonFields) {
  Control a = select(ControlType::kUserSelect, "s");
  a.variant = ButtonVariant::kCallback;
  EXPECT_EQ(check(a), "controls[0].controls[0].variant: not allowed on a select");
  Control b = select(ControlType::kUserSelect, "s");
  b.label = "l";
  EXPECT_EQ(check(b), "controls[0].controls[0].label: not allowed on a select");
  Control c = select(ControlType::kUserSelect, "s");
  c.id = "i";
  EXPECT_EQ(check(c), "controls[0].controls[0].id: not allowed on a select");
  Control d = select(ControlType::kUserSelect, "s");
  d.url = "https://x.y";
  EXPECT_EQ(check(d), "controls[0].controls[0].url: not allowed on a select");
  Control e = select(ControlType::kUserSelect, "s");
  e.colour = OklchColor{0.5, 0.1, 10};
  EXPECT_EQ(check(e), "controls[0].controls[0].colour: not allowed on a select");
  Control f = select(ControlType::kUserSelect, "s");
  f.disabled = true;  // not a button-only field
  EXPECT_EQ(check(f), "");
}

TEST(ControlsTest, SelectCustomIdAndPlaceholder) {
  EXPECT_EQ(check(select(ControlType::kChannelSelect, std::string(100, 'c'))), "");
  EXPECT_EQ(check(select(ControlType::kChannelSelect, std::string(101, 'c'))),
            "controls[0].controls[0].customId: must be at most 100 characters");
  EXPECT_EQ(check(select(ControlType::kChannelSelect, " ")),
            "controls[0].controls[0].customId: must not be blank");
  Control none = select(ControlType::kChannelSelect, "x");
  none.custom_id.reset();
  EXPECT_EQ(check(none), "controls[0].controls[0].customId: required");
  Control p = select(ControlType::kArchetypeSelect, "x");
  p.placeholder = std::string(150, 'p');
  EXPECT_EQ(check(p), "");
  p.placeholder = std::string(151, 'p');
  EXPECT_EQ(check(p), "controls[0].controls[0].placeholder: must be at most 150 characters");
}

TEST(ControlsTest, SelectMinMaxValues) {
  auto with = [](std::optional<int> min, std::optional<int> max) {
    Control c = select(ControlType::kUserSelect, "s");
    c.min_values = min;
    c.max_values = max;
    return check(c);
  };
  EXPECT_EQ(with(0, 25), "");
  EXPECT_EQ(with(0, std::nullopt), "");
  EXPECT_EQ(with(25, 25), "");
  EXPECT_EQ(with(std::nullopt, 1), "");
  EXPECT_EQ(with(-1, 5), "controls[0].controls[0].minValues: must be between 0 and 25");
  EXPECT_EQ(with(26, 25), "controls[0].controls[0].minValues: must be between 0 and 25");
  EXPECT_EQ(with(0, 0), "controls[0].controls[0].maxValues: must be between 1 and 25");
  EXPECT_EQ(with(1, 26), "controls[0].controls[0].maxValues: must be between 1 and 25");
  EXPECT_EQ(with(5, 4), "controls[0].controls[0].minValues: must not exceed maxValues (5 > 4)");
  // maxValues defaults to 1.
  EXPECT_EQ(with(2, std::nullopt),
            "controls[0].controls[0].minValues: must not exceed maxValues (2 > 1)");
}

TEST(ControlsTest, StringSelectOptions) {
  auto with = [](std::optional<std::vector<SelectOption>> options) {
    Control c = select(ControlType::kStringSelect, "s");
    c.options = std::move(options);
    return check(c);
  };
  EXPECT_EQ(with(std::nullopt),
            "controls[0].controls[0].options: a stringSelect needs 1 to 25 options");
  EXPECT_EQ(with(std::vector<SelectOption>{}),
            "controls[0].controls[0].options: a stringSelect needs 1 to 25 options");
  std::vector<SelectOption> many;
  for (int i = 0; i < 25; ++i) many.push_back(option("v" + std::to_string(i)));
  EXPECT_EQ(with(many), "");
  many.push_back(option("v25"));
  EXPECT_EQ(with(many), "controls[0].controls[0].options: at most 25 options allowed (got 26)");

  EXPECT_EQ(with(std::vector<SelectOption>{option("a"), option("a")}),
            "controls[0].controls[0].options[1].value: duplicate option value \"a\"");
  EXPECT_EQ(with(std::vector<SelectOption>{option(std::string(100, 'v'), std::string(100, 'l'))}),
            "");
  EXPECT_EQ(with(std::vector<SelectOption>{option(std::string(101, 'v'))}),
            "controls[0].controls[0].options[0].value: must be at most 100 characters");
  EXPECT_EQ(with(std::vector<SelectOption>{option("v", std::string(101, 'l'))}),
            "controls[0].controls[0].options[0].label: must be at most 100 characters");
  EXPECT_EQ(with(std::vector<SelectOption>{option("v", "")}),
            "controls[0].controls[0].options[0].label: required");
  EXPECT_EQ(with(std::vector<SelectOption>{option("v", "  ")}),
            "controls[0].controls[0].options[0].label: must not be blank");
  EXPECT_EQ(with(std::vector<SelectOption>{option("")}),
            "controls[0].controls[0].options[0].value: required");
  EXPECT_EQ(with(std::vector<SelectOption>{option(" ")}),
            "controls[0].controls[0].options[0].value: must not be blank");
  SelectOption d = option("v");
  d.description = std::string(100, 'd');
  EXPECT_EQ(with(std::vector<SelectOption>{d}), "");
  d.description = std::string(101, 'd');
  EXPECT_EQ(with(std::vector<SelectOption>{d}),
            "controls[0].controls[0].options[0].description: must be at most 100 characters");
}

TEST(ControlsTest, OtherSelectsCarryNoOptions) {
  for (auto t :
       {ControlType::kUserSelect, ControlType::kArchetypeSelect, ControlType::kChannelSelect}) {
    Control c = select(t, "s");
    EXPECT_EQ(check(c), "");
    c.options = std::vector<SelectOption>{option("a")};
    EXPECT_EQ(check(c), "controls[0].controls[0].options: allowed only on a stringSelect");
  }
}

}  // namespace
}  // namespace argon
