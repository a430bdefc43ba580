"""青禾县, a fictional county shaped like the ones in the seeds.

Eleven-odd 乡镇党委/街道党工委 with their villages and communities (seed 002's
streets and communities, seed 004's "11个村, 3个社区"), sector committees for
机关, 学校, 医卫, 两新 and 国有企业 (seed 000's eight categories), and a few of
the shapes real counties have: 村党总支 with branches under it, a 联合党支部,
a 临时党支部, 流动党员党支部 and a 社区党委 with 网格党支部.

Codes are written out, not derived from positions, so that adding a row never
renames another one (a rerun skips codes that exist). A child's code is its
parent's code, a dash and its own suffix: QH02 → QH02-003 → QH02-003-01.

Rows are (suffix, name, level, category code, options). Options:
  members, venue   fixed figures instead of generated ones (see loader.py)
  demo             a 示范点
  inactive         撤并: kept for history, no longer active
  founded          a fixed founding date "YYYY-MM-DD"
  children         rows under this one
Secretaries, phones, member counts, venue areas and founding dates not given
here are generated from a fixed seed, the same on every run.
"""

from orgs.models import Level

CTY, COM, WCOM = Level.COUNTY, Level.COMMITTEE, Level.WORK_COMMITTEE
GEN, BR = Level.GENERAL_BRANCH, Level.BRANCH
JOINT, TEMP = Level.JOINT_BRANCH, Level.TEMPORARY_BRANCH

ROOT = ("QH", "中共青禾县委", CTY, {"founded": "1949-11-01"})

# Branches graded 后进 (软弱涣散) in the demo: small venues, few members; the
# 3+1 helper login is paired with the first one. Later features (grading,
# pairing) can use these codes for their own demo data.
LAGGING_CODES = ("QH02-004", "QH03-005", "QH06-002", "QH10-002")


def _village(suffix, name, **opts):
    return (suffix, name, BR, "village", opts)


def _community(suffix, name, **opts):
    return (suffix, name, BR, "community", opts)


def _organs(suffix, name, **opts):
    return (suffix, name, BR, "government", opts)


# (code, name, level, rows): the committees directly under the county.
COMMITTEES = [
    ("QH01", "城关镇党委", COM, [
        _village("001", "城关镇城西村党支部"),
        _village("002", "城关镇城北村党支部"),
        _village("003", "城关镇十里铺村党支部"),
        _village("004", "城关镇槐树村党支部"),
        _village("005", "城关镇大营村党支部"),
        _community("006", "城关镇南街社区党支部"),
        _community("007", "城关镇文化路社区党支部"),
        _organs("008", "城关镇机关党支部"),
    ]),
    ("QH02", "东坝镇党委", COM, [
        # 村上建总支 (seed 003): a big village with a general branch.
        ("001", "东坝镇东坝村党总支", GEN, "village", {"children": [
            _village("01", "东坝村第一党支部", members=42),
            _village("02", "东坝村第二党支部", members=38),
            _village("03", "东坝村老年党员党支部", members=26, venue=60),
        ]}),
        _village("002", "东坝镇柳树村党支部", demo=True, venue=260),
        _village("003", "东坝镇马庄村党支部"),
        _village("004", "东坝镇河湾村党支部", members=18, venue=45),  # 后进, 3+1 pairing
        _village("005", "东坝镇杨湾村党支部"),
        _village("006", "东坝镇王家坪村党支部"),
        ("007", "东坝镇外出务工流动党员党支部", BR, "mobile", {}),
        _organs("008", "东坝镇机关党支部"),
    ]),
    ("QH03", "西湖乡党委", COM, [
        _village("001", "西湖乡西湖村党支部"),
        _village("002", "西湖乡荷塘村党支部"),
        _village("003", "西湖乡白沙村党支部"),
        # 撤并 into 白沙村 in 2024; kept inactive for its history.
        _village("004", "西湖乡老河村党支部", inactive=True, members=11),
        _village("005", "西湖乡渔场村党支部", members=21, venue=80),  # 后进
        ("006", "西湖乡驻广州流动党员党支部", BR, "mobile", {}),
        _organs("007", "西湖乡机关党支部"),
    ]),
    ("QH04", "柳河镇党委", COM, [
        _village("001", "柳河镇柳河村党支部"),
        _village("002", "柳河镇上湾村党支部"),
        _village("003", "柳河镇下湾村党支部"),
        _village("004", "柳河镇枣林村党支部"),
        _village("005", "柳河镇新庄村党支部"),
        _community("006", "柳河镇柳河社区党支部"),
        _organs("007", "柳河镇机关党支部"),
    ]),
    ("QH05", "石桥镇党委", COM, [
        _village("001", "石桥镇石桥村党支部"),
        _village("002", "石桥镇桥头村党支部"),
        _village("003", "石桥镇高家村党支部"),
        _village("004", "石桥镇龙泉村党支部"),
        # 产业链上建支部 (seed 003).
        ("005", "石桥镇果蔬专业合作社党支部", BR, "private_enterprise", {"members": 9}),
        _organs("006", "石桥镇机关党支部"),
    ]),
    ("QH06", "红星乡党委", COM, [
        _village("001", "红星乡红星村党支部"),
        _village("002", "红星乡石岭村党支部", members=16, venue=60),  # 后进
        _village("003", "红星乡前进村党支部"),
        _village("004", "红星乡光明村党支部"),
        _organs("005", "红星乡机关党支部"),
    ]),
    ("QH07", "南山镇党委", COM, [
        _village("001", "南山镇南山村党支部"),
        _village("002", "南山镇茶园村党支部"),
        _village("003", "南山镇松林村党支部"),
        _village("004", "南山镇竹园村党支部"),
        _organs("005", "南山镇机关党支部"),
    ]),
    ("QH08", "新城街道党工委", WCOM, [
        # A large community with its own committee and grid branches.
        ("001", "新城街道幸福社区党委", COM, "community", {"children": [
            _community("01", "幸福社区第一网格党支部"),
            _community("02", "幸福社区第二网格党支部"),
            _community("03", "幸福社区离退休党员党支部"),
        ]}),
        _community("002", "新城街道枫林社区党支部", members=24, venue=55),
        _community("003", "新城街道锦绣社区党支部", demo=True, venue=480),
        _community("004", "新城街道阳光社区党支部"),
        _organs("005", "新城街道机关党支部"),
    ]),
    ("QH09", "东城街道党工委", WCOM, [
        _community("001", "东城街道东门社区党支部"),
        _community("002", "东城街道朝阳社区党支部"),
        _community("003", "东城街道花园社区党支部"),
        _community("004", "东城街道滨河社区党支部"),
        _organs("005", "东城街道机关党支部"),
    ]),
    ("QH10", "北关街道党工委", WCOM, [
        _community("001", "北关街道北关社区党支部"),
        _community("002", "北关街道铁路社区党支部", members=19, venue=62),  # 后进
        _community("003", "北关街道站前社区党支部"),
        _organs("004", "北关街道机关党支部"),
    ]),
    ("QH11", "县直机关工委", WCOM, [
        _organs("001", "县委办公室党支部"),
        _organs("002", "县政府办公室党支部"),
        _organs("003", "县发展和改革局党支部"),
        _organs("004", "县财政局党支部", demo=True),
        _organs("005", "县人力资源和社会保障局党支部"),
        _organs("006", "县农业农村局党支部"),
        ("007", "县公安局党委", COM, "government", {"children": [
            _organs("01", "县公安局机关党支部"),
            _organs("02", "城关派出所党支部"),
            _organs("03", "县交警大队党支部"),
        ]}),
        ("008", "县融媒体中心党支部", BR, "institution", {}),
        ("009", "县图书馆党支部", BR, "institution", {"members": 8}),
        ("010", "县农业技术推广中心党支部", BR, "institution", {}),
        ("011", "县重点项目建设临时党支部", TEMP, "government",
         {"members": 9, "founded": "2025-03-01"}),
    ]),
    ("QH12", "县教育局党委", COM, [
        ("001", "县第一中学党总支", GEN, "school", {"children": [
            ("01", "县第一中学高中部党支部", BR, "school", {}),
            ("02", "县第一中学初中部党支部", BR, "school", {}),
            ("03", "县第一中学离退休教师党支部", BR, "school", {}),
        ]}),
        ("002", "县第二中学党支部", BR, "school", {}),
        ("003", "县实验小学党支部", BR, "school", {"demo": True}),
        ("004", "县职业技术学校党支部", BR, "school", {}),
        ("005", "城关镇中心学校党支部", BR, "school", {}),
        ("006", "东坝镇中心学校党支部", BR, "school", {}),
        ("007", "县实验幼儿园党支部", BR, "school", {"members": 7}),
        _organs("008", "县教育局机关党支部"),
    ]),
    ("QH13", "县卫生健康局党委", COM, [
        ("001", "县人民医院党委", COM, "health", {"children": [
            ("01", "县人民医院内科党支部", BR, "health", {"demo": True}),
            ("02", "县人民医院外科党支部", BR, "health", {}),
            ("03", "县人民医院医技党支部", BR, "health", {}),
            ("04", "县人民医院行政后勤党支部", BR, "health", {}),
        ]}),
        ("002", "县中医院党总支", GEN, "health", {"children": [
            ("01", "县中医院临床党支部", BR, "health", {}),
            ("02", "县中医院行政党支部", BR, "health", {}),
        ]}),
        ("003", "县妇幼保健院党支部", BR, "health", {}),
        ("004", "县疾病预防控制中心党支部", BR, "health", {}),
        ("005", "东坝镇卫生院党支部", BR, "health", {}),
        _organs("006", "县卫生健康局机关党支部"),
    ]),
    ("QH14", "县非公有制经济组织和社会组织党委", COM, [
        ("001", "青禾农业发展有限公司党支部", BR, "private_enterprise", {"demo": True}),
        ("002", "禾丰食品有限公司党支部", BR, "private_enterprise", {}),
        ("003", "金禾纺织有限公司党支部", BR, "private_enterprise", {}),
        ("004", "绿源生态农业科技有限公司党支部", BR, "private_enterprise", {"members": 5}),
        ("005", "商贸城非公企业联合党支部", JOINT, "private_enterprise", {"members": 14}),
        ("006", "县物流园非公企业联合党支部", JOINT, "private_enterprise", {}),
        ("007", "县律师协会党支部", BR, "social_org", {"demo": True, "members": 12}),
        ("008", "县个体私营企业协会党支部", BR, "social_org", {}),
        ("009", "县志愿者协会党支部", BR, "social_org", {}),
        ("010", "县会计师事务所联合党支部", JOINT, "social_org", {"members": 6}),
    ]),
    ("QH15", "县国资委党委", COM, [
        ("001", "县城市建设投资集团有限公司党委", COM, "soe", {"children": [
            ("01", "城投集团机关党支部", BR, "soe", {}),
            ("02", "城投集团工程建设公司党支部", BR, "soe", {}),
        ]}),
        ("002", "县水务集团有限公司党支部", BR, "soe", {"demo": True}),
        ("003", "县交通投资有限公司党支部", BR, "soe", {}),
        ("004", "县国有粮食储备库党支部", BR, "soe", {}),
        _organs("005", "县国资委机关党支部"),
    ]),
]

# Demo logins: (username, password, role, organization code, full name).
# The passwords are published in this file and printed by the command: for a
# demo or development site only. The first, role None, is the superuser
# "admin": it is recorded as the author of everything else the demo creates.
LOGINS = [
    ("admin", "demo-admin-2026", None, None, "系统管理员"),
    ("county", "demo-county-2026", "county_staff", "QH", "县委组织部 王敏"),
    ("committee", "demo-committee-2026", "committee_staff", "QH02", "东坝镇党委 李强"),
    # The secretary's full name is taken from the branch's secretary.
    ("secretary", "demo-secretary-2026", "secretary", "QH02-002", ""),
    ("helper", "demo-helper-2026", "helper", LAGGING_CODES[0], "组工干部 孙海"),
    ("viewer", "demo-viewer-2026", "viewer", "QH", "县委督查组 周丽"),
]
