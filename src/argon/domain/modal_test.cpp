#include "argon/domain/modal.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace argon {
namespace {

std::string message(const Status& s) {
  return s.ok() ? "" : s.error().message.value_or("");
}

ModalComponent text_input(std::string id = "name") {
  ModalComponent c;
  c.type = ModalComponentType::kTextInput;
  c.custom_id = std::move(id);
  c.label = "Your name";
  c.style = TextInputStyle::kShort;
  return c;
}

ModalComponent component(ModalComponentType type, std::string id) {
  ModalComponent c;
  c.type = type;
  c.custom_id = std::move(id);
  c.label = "Pick";
  if (type == ModalComponentType::kStringSelect) {
    c.options = std::vector<SelectOption>{SelectOption{"A", "a", std::nullopt, std::nullopt}};
  }
  return c;
}

ModalDefinition modal(std::vector<ModalComponent> components) {
  return ModalDefinition{"feedback", "Feedback", std::move(components)};
}

std::string check(const ModalComponent& c) {
  return message(validate_modal(modal({c})));
}

TEST(ModalTest, Names) {
  EXPECT_EQ(modal_component_type_names().size(), 6u);
  EXPECT_EQ(modal_component_type_name(ModalComponentType::kCheckbox), "checkbox");
  EXPECT_EQ(text_input_style_names()[1], "paragraph");
}

TEST(ModalTest, ValidModalWithEveryComponentType) {
  EXPECT_TRUE(
      validate_modal(modal({text_input("a"), component(ModalComponentType::kStringSelect, "b"),
                            component(ModalComponentType::kUserSelect, "c"),
                            component(ModalComponentType::kChannelSelect, "d"),
                            component(ModalComponentType::kCheckbox, "e")})));
  EXPECT_TRUE(validate_modal(modal({component(ModalComponentType::kArchetypeSelect, "x")})));
}

TEST(ModalTest, CustomIdAndTitle) {
  ModalDefinition m = modal({text_input()});
  m.custom_id = std::string(100, 'c');
  EXPECT_TRUE(validate_modal(m));
  m.custom_id = std::string(101, 'c');
  EXPECT_EQ(message(validate_modal(m)), "modal.customId: must be 1 to 100 characters");
  m.custom_id = "";
  EXPECT_EQ(message(validate_modal(m)), "modal.customId: required");
  m.custom_id = "ok";
  m.title = std::string(45, 't');
  EXPECT_TRUE(validate_modal(m));
  m.title = std::string(46, 't');
  EXPECT_EQ(message(validate_modal(m)), "modal.title: must be 1 to 45 characters");
  m.title = "";
  EXPECT_EQ(message(validate_modal(m)), "modal.title: required");
}

TEST(ModalTest, ComponentCount) {
  EXPECT_EQ(message(validate_modal(modal({}))),
            "modal.components: must hold 1 to 5 components (got 0)");
  std::vector<ModalComponent> five;
  for (int i = 0; i < 5; ++i) five.push_back(text_input("t" + std::to_string(i)));
  EXPECT_TRUE(validate_modal(modal(five)));
  five.push_back(text_input("t5"));
  EXPECT_EQ(message(validate_modal(modal(five))),
            "modal.components: must hold 1 to 5 components (got 6)");
}

TEST(ModalTest, ComponentCustomId) {
  EXPECT_EQ(check(text_input(std::string(100, 'i'))), "");
  EXPECT_EQ(check(text_input(std::string(101, 'i'))),
            "modal.components[0].customId: must be 1 to 100 characters");
  EXPECT_EQ(check(text_input("")), "modal.components[0].customId: required");
  EXPECT_EQ(message(validate_modal(modal({text_input("x"), text_input("x")}))),
            "modal.components[1].customId: duplicate customId \"x\"");
}

TEST(ModalTest, ComponentLabel) {
  ModalComponent c = text_input();
  c.label = std::string(45, 'l');
  EXPECT_EQ(check(c), "");
  c.label = std::string(46, 'l');
  EXPECT_EQ(check(c), "modal.components[0].label: must be 1 to 45 characters");
  c.label = "";
  EXPECT_EQ(check(c), "modal.components[0].label: required");
  c.label = "   ";
  EXPECT_EQ(check(c), "modal.components[0].label: must not be blank");
}

TEST(ModalTest, TextInputRules) {
  ModalComponent c = text_input();
  c.style.reset();
  EXPECT_EQ(check(c), "modal.components[0].style: required for textInput");

  c = text_input();
  c.placeholder = std::string(100, 'p');
  EXPECT_EQ(check(c), "");
  c.placeholder = std::string(101, 'p');
  EXPECT_EQ(check(c), "modal.components[0].placeholder: must be at most 100 characters");

  c = text_input();
  c.min_length = 0;
  c.max_length = 4000;
  EXPECT_EQ(check(c), "");
  c.min_length = -1;
  EXPECT_EQ(check(c), "modal.components[0].minLength: must be between 0 and 4000");
  c.min_length = 4001;
  EXPECT_EQ(check(c), "modal.components[0].minLength: must be between 0 and 4000");
  c.min_length = 1;
  c.max_length = 0;
  EXPECT_EQ(check(c), "modal.components[0].maxLength: must be between 1 and 4000");
  c.max_length = 4001;
  EXPECT_EQ(check(c), "modal.components[0].maxLength: must be between 1 and 4000");
  c.min_length = 10;
  c.max_length = 9;
  EXPECT_EQ(check(c), "modal.components[0].minLength: must not exceed maxLength (10 > 9)");
  c.max_length = 10;
  EXPECT_EQ(check(c), "");

  c = text_input();
  c.value = std::string(4000, 'v');
  EXPECT_EQ(check(c), "");
  c.value = std::string(4001, 'v');
  EXPECT_EQ(check(c), "modal.components[0].value: must be at most 4000 characters");
}

TEST(ModalTest, SelectRules) {
  ModalComponent c = component(ModalComponentType::kUserSelect, "u");
  c.min_values = 0;
  c.max_values = 25;
  EXPECT_EQ(check(c), "");
  c.min_values = -1;
  EXPECT_EQ(check(c), "modal.components[0].minValues: must be between 0 and 25");
  c.min_values = 26;
  EXPECT_EQ(check(c), "modal.components[0].minValues: must be between 0 and 25");
  c.min_values = 1;
  c.max_values = 0;
  EXPECT_EQ(check(c), "modal.components[0].maxValues: must be between 1 and 25");
  c.max_values = 26;
  EXPECT_EQ(check(c), "modal.components[0].maxValues: must be between 1 and 25");
  c.min_values = 3;
  c.max_values = 2;
  EXPECT_EQ(check(c), "modal.components[0].minValues: must not exceed maxValues (3 > 2)");

  ModalComponent s = component(ModalComponentType::kStringSelect, "s");
  s.options = std::vector<SelectOption>{};
  EXPECT_EQ(check(s), "modal.components[0].options: a stringSelect needs 1 to 25 options");
  s.options = std::vector<SelectOption>(26, SelectOption{"A", "a", std::nullopt, std::nullopt});
  EXPECT_EQ(check(s), "modal.components[0].options: at most 25 options allowed (got 26)");
  s.options = std::vector<SelectOption>{SelectOption{"A", "a", std::nullopt, std::nullopt},
                                        SelectOption{"B", "a", std::nullopt, std::nullopt}};
  EXPECT_EQ(check(s), "modal.components[0].options[1].value: duplicate option value \"a\"");
}

TEST(ModalTest, NonStringSelectComponentsCarryNoOptions) {
  for (auto t : {ModalComponentType::kTextInput, ModalComponentType::kCheckbox,
                 ModalComponentType::kUserSelect, ModalComponentType::kArchetypeSelect,
                 ModalComponentType::kChannelSelect}) {
    ModalComponent c = t == ModalComponentType::kTextInput ? text_input() : component(t, "x");
    c.options = std::vector<SelectOption>{SelectOption{"A", "a", std::nullopt, std::nullopt}};
    EXPECT_EQ(check(c), "modal.components[0].options: allowed only on a stringSelect");
  }
}

}  // namespace
}  // namespace argon
