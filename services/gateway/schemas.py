from marshmallow import RAISE, Schema, fields, validate

from shared.tenancy import ROLES


class Strict(Schema):
    class Meta:
        unknown = RAISE


class TokenRequestSchema(Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)


class TokenSchema(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()
    role = fields.String()
    school = fields.String(allow_none=True)


class AccountCreateSchema(Strict):
    username = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.@-]{3,64}$"))
    password = fields.String(required=True, validate=validate.Length(max=200), load_only=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    school = fields.String(allow_none=True, validate=validate.Length(max=32))
    member_id = fields.Integer(allow_none=True, strict=True, metadata={"description": "required for member and delegate"})
    display_name = fields.String(allow_none=True, validate=validate.Length(max=60))


class AccountUpdateSchema(Strict):
    active = fields.Boolean(metadata={"description": "false deactivates: its tokens stop working at once"})
    password = fields.String(validate=validate.Length(max=200), load_only=True,
                             metadata={"description": "a new password; tokens issued before stop working"})
    display_name = fields.String(allow_none=True, validate=validate.Length(max=60))


class PasswordChangeSchema(Strict):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)
    new_password = fields.String(required=True, validate=validate.Length(max=200), load_only=True)


class AccountSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    role = fields.String()
    school = fields.String(allow_none=True)
    member_id = fields.Integer(allow_none=True)
    display_name = fields.String(allow_none=True)
    active = fields.Boolean()


class AccountListSchema(Schema):
    items = fields.List(fields.Nested(AccountSchema))
    total = fields.Integer()


class AccountListQuery(Strict):
    school = fields.String(validate=validate.Length(max=32))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class MeSchema(Schema):
    username = fields.String()
    role = fields.String()
    role_label = fields.String()
    school = fields.String(allow_none=True)
    member_id = fields.Integer(allow_none=True)


class PluginListSchema(Schema):
    plugins = fields.List(fields.Dict())
